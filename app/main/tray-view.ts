import { AI_CLIENT_LABELS, AI_CLIENTS, type AiClient } from '../os/client-configs.js';
import { PERMISSIONS_PROVIDER } from '../shared/admin-types.js';

/**
 * What the tray shows, as a pure function of the hub's state: the icon, the tooltip and the
 * menu. app/main/tray-service.ts renders it once per change; the tests compare it as a value
 * for every state a user can see.
 */

/** The slice of the admin API's state the tray shows (app/main/hub-client.ts reads it). */
export interface TrayHubState {
  providers: number;
  tools: number;
  /** AI clients with an open session. */
  clients: number;
  pending: PendingCall[];
  paused: boolean;
}

export interface PendingCall {
  id: string;
  caller: string;
  provider: string;
  tool: string;
}

export type TrayHub =
  | { phase: 'starting' }
  /** `state` undefined: the hub listens, its first state has not arrived yet. */
  | { phase: 'up'; state: TrayHubState | undefined }
  | { phase: 'down'; reason: string; retryInMs: number | undefined };

export interface TrayInput {
  hub: TrayHub;
  /** undefined where the app cannot register itself (a source checkout on Linux has no launcher). */
  startAtLogin: boolean | undefined;
  /** An update downloaded and ready to install on restart. */
  updateReady?: string;
}

export type TrayIcon = 'idle' | 'serving' | 'waiting' | 'paused' | 'down';

export type TrayAction =
  | { type: 'open-panel'; view?: string }
  | { type: 'pause'; paused: boolean }
  | { type: 'connect'; client: AiClient }
  | { type: 'start-at-login'; enabled: boolean }
  | { type: 'restart-hub' }
  | { type: 'install-update' }
  | { type: 'quit' };

export type MenuEntry =
  | { kind: 'separator' }
  | { kind: 'text'; label: string }
  | { kind: 'action'; label: string; action: TrayAction; enabled: boolean }
  | { kind: 'check'; label: string; checked: boolean; action: TrayAction; enabled: boolean }
  | { kind: 'submenu'; label: string; enabled: boolean; items: MenuEntry[] };

export interface TrayView {
  icon: TrayIcon;
  toolTip: string;
  menu: MenuEntry[];
}

/** Pending calls listed by name in the menu; the rest are one "and N more" line. */
export const MENU_PENDING_LIMIT = 5;
/** A menu line stays readable up to about this many characters; the tooltip carries the rest. */
const REASON_LIMIT = 160;

export function trayView(input: TrayInput): TrayView {
  const { hub } = input;
  const state = hub.phase === 'up' ? hub.state : undefined;
  const icon = trayIcon(hub);
  const separator: MenuEntry = { kind: 'separator' };
  const live = state !== undefined;
  const menu: MenuEntry[] = [...statusLines(hub), separator];
  if (state && state.pending.length > 0) menu.push(...pendingLines(state.pending), separator);
  menu.push(
    { kind: 'check', label: 'Pause all calls', checked: state?.paused ?? false, action: { type: 'pause', paused: !state?.paused }, enabled: live },
    {
      kind: 'submenu',
      label: 'Connect an AI client',
      enabled: live,
      items: AI_CLIENTS.map((client) => ({ kind: 'action', label: connectLabel(client), action: { type: 'connect', client }, enabled: live })),
    },
    { kind: 'action', label: 'Open panel', action: { type: 'open-panel' }, enabled: live },
    separator,
  );
  if (input.startAtLogin !== undefined) {
    menu.push({ kind: 'check', label: 'Start at login', checked: input.startAtLogin, action: { type: 'start-at-login', enabled: !input.startAtLogin }, enabled: true });
  }
  if (input.updateReady) menu.push({ kind: 'action', label: `Restart to update to ${input.updateReady}`, action: { type: 'install-update' }, enabled: true });
  menu.push({ kind: 'action', label: 'Quit Inlet', action: { type: 'quit' }, enabled: true });
  return { icon, toolTip: toolTip(hub), menu };
}

export function trayIcon(hub: TrayHub): TrayIcon {
  if (hub.phase === 'down') return 'down';
  if (hub.phase === 'starting' || !hub.state) return 'idle';
  if (hub.state.pending.length > 0) return 'waiting';
  if (hub.state.paused) return 'paused';
  return hub.state.providers > 0 ? 'serving' : 'idle';
}

function toolTip(hub: TrayHub): string {
  if (hub.phase === 'starting') return 'Inlet: starting the hub…';
  if (hub.phase === 'down') return `Inlet: the hub is down. ${hub.reason}`;
  const state = hub.state;
  if (!state) return 'Inlet: connecting to the hub…';
  if (state.pending.length > 0) return `Inlet: ${plural(state.pending.length, 'call')} waiting for your approval`;
  if (state.paused) return 'Inlet: paused, every new call is denied';
  if (state.providers === 0) return 'Inlet: running, no tools connected yet';
  return `Inlet: serving ${plural(state.tools, 'tool')} from ${plural(state.providers, 'provider')}`;
}

function statusLines(hub: TrayHub): MenuEntry[] {
  if (hub.phase === 'starting') return [{ kind: 'text', label: 'Starting the hub…' }];
  if (hub.phase === 'down') {
    const retry = hub.retryInMs === undefined ? [] : [{ kind: 'text' as const, label: `Restarting in ${Math.max(1, Math.round(hub.retryInMs / 1000))} s…` }];
    return [
      { kind: 'text', label: `Hub down: ${shorten(hub.reason)}` },
      ...retry,
      { kind: 'action', label: 'Restart the hub now', action: { type: 'restart-hub' }, enabled: true },
    ];
  }
  const state = hub.state;
  if (!state) return [{ kind: 'text', label: 'Connecting to the hub…' }];
  const lines: MenuEntry[] = [{ kind: 'text', label: `${plural(state.providers, 'provider')} · ${plural(state.tools, 'tool')} · ${plural(state.clients, 'AI client')}` }];
  if (state.paused) lines.push({ kind: 'text', label: 'Paused: every new call is denied' });
  return lines;
}

function pendingLines(pending: PendingCall[]): MenuEntry[] {
  const lines: MenuEntry[] = [{ kind: 'text', label: `Waiting for approval (${pending.length})` }];
  for (const call of pending.slice(0, MENU_PENDING_LIMIT)) {
    lines.push({ kind: 'action', label: `${describeCall(call)} from ${call.caller}…`, action: { type: 'open-panel', view: `pending/${call.id}` }, enabled: true });
  }
  const more = pending.length - MENU_PENDING_LIMIT;
  if (more > 0) lines.push({ kind: 'action', label: `and ${more} more…`, action: { type: 'open-panel', view: 'pending' }, enabled: true });
  return lines;
}

/** "everything / echo", or "Claude Code permission: Bash" for Claude Code's own prompts. */
export function describeCall(call: PendingCall): string {
  return call.provider === PERMISSIONS_PROVIDER ? `Claude Code permission: ${call.tool}` : `${call.provider} / ${call.tool}`;
}

function connectLabel(client: AiClient): string {
  return client === 'claude-code' ? `${AI_CLIENT_LABELS[client]} (copies the command)` : AI_CLIENT_LABELS[client];
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function shorten(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > REASON_LIMIT ? `${line.slice(0, REASON_LIMIT - 1)}…` : line;
}
