import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MenuItemSpec, TrayFacade } from '../app/main/electron-facade.js';
import { toTrayState } from '../app/main/hub-client.js';
import { TrayService, trayIconPath } from '../app/main/tray-service.js';
import { trayView, type MenuEntry, type TrayAction, type TrayHubState, type TrayInput } from '../app/main/tray-view.js';
import { existsSync } from 'node:fs';

/**
 * The tray's icon, tooltip and menu as a pure function of the hub's state (app/main/tray-view.ts),
 * for every state a user can see; then the TrayService drawing it once per change. The menu is
 * rendered to lines of text ("[x]" a checked item, "(…)" a disabled one, ">" a submenu) so each
 * case reads like the menu it stands for.
 */
function lines(menu: MenuEntry[], indent = ''): string[] {
  return menu.flatMap((entry): string[] => {
    switch (entry.kind) {
      case 'separator':
        return [`${indent}---`];
      case 'text':
        return [`${indent}(${entry.label})`];
      case 'action':
        return [`${indent}${entry.enabled ? entry.label : `(${entry.label})`}`];
      case 'check':
        return [`${indent}[${entry.checked ? 'x' : ' '}] ${entry.enabled ? entry.label : `(${entry.label})`}`];
      case 'submenu':
        return [`${indent}> ${entry.enabled ? entry.label : `(${entry.label})`}`, ...lines(entry.items, `${indent}  `)];
    }
  });
}

const state = (over: Partial<TrayHubState> = {}): TrayHubState => ({ providers: 0, tools: 0, clients: 0, pending: [], paused: false, ...over });
const up = (over: Partial<TrayHubState> = {}, input: Partial<TrayInput> = {}): TrayInput => ({ hub: { phase: 'up', state: state(over) }, startAtLogin: true, ...input });
const call = (n: number) => ({ id: `id-${n}`, caller: 'ai:claude', provider: 'everything', tool: `tool${n}` });

const CONNECT = ['> Connect an AI client', '  Claude Desktop', '  Claude Code (copies the command)', '  Cursor', '  VS Code'];
const FOOT = ['---', '[x] Start at login', 'Quit Inlet'];

describe('the tray as a pure function of the hub state', () => {
  it('idle: the hub runs with no provider; the menu says so and offers everything', () => {
    const view = trayView(up());
    assert.equal(view.icon, 'idle');
    assert.equal(view.toolTip, 'Inlet: running, no tools connected yet');
    assert.deepEqual(lines(view.menu), ['(0 providers · 0 tools · 0 AI clients)', '---', '[ ] Pause all calls', ...CONNECT, 'Open panel', ...FOOT]);
  });

  it('serving: counts of providers, tools and AI clients, singular where one', () => {
    const view = trayView(up({ providers: 1, tools: 12, clients: 1 }));
    assert.equal(view.icon, 'serving');
    assert.equal(view.toolTip, 'Inlet: serving 12 tools from 1 provider');
    assert.equal(lines(view.menu)[0], '(1 provider · 12 tools · 1 AI client)');
  });

  it('an MCP-Link registrant counts as the provider of its tool, not as an AI client, and a call to it reads as provider / tool', () => {
    // The admin API's state as the hub sends it with one AI client and one registrant (docs/mcp-link.md, Status).
    const session = (caller: string, extra: Record<string, unknown> = {}) => ({ caller, since: '2026-01-01T00:00:00.000Z', protocol: 'sse', ...extra });
    const hubState = {
      status: {
        providers: [{ name: 'remote:fusion360', kind: 'registrant', client: 'addin:addin', tools: ['fusion360'] }],
        toolCount: 1,
        sessions: [session('ai:claude', { protocol: '2025-11-25' }), session('addin:fusion360', { registered: ['fusion360'] })],
      },
      pending: [{ id: 'c1', caller: 'ai:claude', provider: 'remote:fusion360', tool: 'fusion360' }],
      approvals: { paused: false },
    };
    const view = trayView({ hub: { phase: 'up', state: toTrayState(hubState) }, startAtLogin: true });
    assert.deepEqual(lines(view.menu).slice(0, 4), ['(1 provider · 1 tool · 1 AI client)', '---', '(Waiting for approval (1))', 'remote:fusion360 / fusion360 from ai:claude…']);
  });

  it('a call waiting: the waiting icon wins, and each call opens the panel at itself', () => {
    const view = trayView(up({ providers: 2, tools: 3, pending: [call(1), { id: 'p', caller: 'ai:claude-code', provider: 'permissions', tool: 'Bash' }] }));
    assert.equal(view.icon, 'waiting');
    assert.equal(view.toolTip, 'Inlet: 2 calls waiting for your approval');
    assert.deepEqual(lines(view.menu).slice(0, 6), [
      '(2 providers · 3 tools · 0 AI clients)',
      '---',
      '(Waiting for approval (2))',
      'everything / tool1 from ai:claude…',
      'Claude Code permission: Bash from ai:claude-code…',
      '---',
    ]);
    const actions = view.menu.filter((e) => e.kind === 'action').map((e) => (e as { action: TrayAction }).action);
    assert.deepEqual(actions[0], { type: 'open-panel', view: 'pending/id-1' });
    assert.deepEqual(actions[1], { type: 'open-panel', view: 'pending/p' });
  });

  it('many calls waiting: five by name, the rest as one line that opens the list', () => {
    const view = trayView(up({ pending: [1, 2, 3, 4, 5, 6, 7].map(call) }));
    const text = lines(view.menu);
    assert.equal(text.filter((l) => l.startsWith('everything / ')).length, 5);
    assert.ok(text.includes('and 2 more…'));
    const more = view.menu.find((e) => e.kind === 'action' && e.label === 'and 2 more…') as { action: TrayAction };
    assert.deepEqual(more.action, { type: 'open-panel', view: 'pending' });
  });

  it('paused: its own icon and line, and the checked item lifts the pause', () => {
    const view = trayView(up({ providers: 1, tools: 1, paused: true }));
    assert.equal(view.icon, 'paused');
    assert.equal(view.toolTip, 'Inlet: paused, every new call is denied');
    const text = lines(view.menu);
    assert.deepEqual(text.slice(0, 4), ['(1 provider · 1 tool · 0 AI clients)', '(Paused: every new call is denied)', '---', '[x] Pause all calls']);
    const pause = view.menu.find((e) => e.kind === 'check' && e.label === 'Pause all calls') as { action: TrayAction };
    assert.deepEqual(pause.action, { type: 'pause', paused: false });
    assert.deepEqual((trayView(up()).menu.find((e) => e.kind === 'check' && e.label === 'Pause all calls') as { action: TrayAction }).action, { type: 'pause', paused: true });
  });

  it('a call left waiting while paused still shows as waiting', () => {
    assert.equal(trayView(up({ paused: true, pending: [call(1)] })).icon, 'waiting');
  });

  it('hub down: the reason, when it restarts, a way to restart now, and nothing that needs the hub', () => {
    const view = trayView({ hub: { phase: 'down', reason: 'The hub process exited unexpectedly (exit code 1).', retryInMs: 4_000 }, startAtLogin: false });
    assert.equal(view.icon, 'down');
    assert.equal(view.toolTip, 'Inlet: the hub is down. The hub process exited unexpectedly (exit code 1).');
    assert.deepEqual(lines(view.menu), [
      '(Hub down: The hub process exited unexpectedly (exit code 1).)',
      '(Restarting in 4 s…)',
      'Restart the hub now',
      '---',
      '[ ] (Pause all calls)',
      '> (Connect an AI client)',
      '  (Claude Desktop)',
      '  (Claude Code (copies the command))',
      '  (Cursor)',
      '  (VS Code)',
      '(Open panel)',
      '---',
      '[ ] Start at login',
      'Quit Inlet',
    ]);
  });

  it('a long down reason is cut to one menu line, and the tooltip carries all of it', () => {
    const reason = `Another hub is already running for ${'/very/long/path'.repeat(10)} (pid 42).`;
    const view = trayView({ hub: { phase: 'down', reason, retryInMs: undefined }, startAtLogin: undefined });
    const [first] = lines(view.menu);
    assert.ok(first!.length <= '(Hub down: )'.length + 160, first);
    assert.ok(view.toolTip.endsWith(reason));
    assert.ok(first!.endsWith('…)'));
  });

  it('starting, and up before the first state: the idle icon and a line that says so', () => {
    const starting = trayView({ hub: { phase: 'starting' }, startAtLogin: true });
    assert.equal(starting.icon, 'idle');
    assert.equal(starting.toolTip, 'Inlet: starting the hub…');
    assert.equal(lines(starting.menu)[0], '(Starting the hub…)');
    assert.ok(lines(starting.menu).includes('(Open panel)'));
    const connecting = trayView({ hub: { phase: 'up', state: undefined }, startAtLogin: true });
    assert.equal(connecting.toolTip, 'Inlet: connecting to the hub…');
    assert.equal(lines(connecting.menu)[0], '(Connecting to the hub…)');
  });

  it('"Start at login" is left out where the app cannot register itself, and an update adds "Restart to update"', () => {
    const text = lines(trayView(up({}, { startAtLogin: undefined, updateReady: '0.2.0' })).menu);
    assert.ok(!text.some((l) => l.includes('Start at login')));
    assert.deepEqual(text.slice(-2), ['Restart to update to 0.2.0', 'Quit Inlet']);
  });

  it('every icon a state can show exists in build/icons/tray, at 1x and 2x', () => {
    for (const icon of ['idle', 'serving', 'waiting', 'paused', 'down'] as const) {
      assert.ok(existsSync(trayIconPath(icon)), icon);
      assert.ok(existsSync(trayIconPath(icon).replace(/\.png$/, '@2x.png')), `${icon}@2x`);
    }
  });
});

describe('TrayService draws once per change', () => {
  function fakeTray() {
    const drawn: Array<{ image: string; toolTip: string; menu: MenuItemSpec[] }> = [];
    let image = '';
    let toolTip = '';
    const tray: TrayFacade = {
      setImage: (path) => (image = path),
      setToolTip: (text) => (toolTip = text),
      setMenu: (menu) => drawn.push({ image, toolTip, menu }),
      onClick: () => undefined,
      destroy: () => undefined,
    };
    return { tray, drawn };
  }

  it('redraws only when what the user sees changes, and menu clicks dispatch their action', () => {
    const { tray, drawn } = fakeTray();
    const actions: TrayAction[] = [];
    const service = new TrayService({ createTray: () => tray }, (action) => actions.push(action));
    service.setStartAtLogin(true);
    service.show(() => undefined);
    assert.equal(service.renders, 1);
    service.setHub({ phase: 'up', state: state({ providers: 1, tools: 2 }) });
    service.setHub({ phase: 'up', state: state({ providers: 1, tools: 2 }) });
    service.setStartAtLogin(true);
    assert.equal(service.renders, 2, 'the same state twice draws once');
    assert.match(drawn.at(-1)!.image, /serving\.png$/);
    service.setHub({ phase: 'up', state: state({ providers: 1, tools: 2, pending: [call(9)] }) });
    assert.equal(service.renders, 3);
    const last = drawn.at(-1)!;
    assert.match(last.image, /waiting\.png$/);
    assert.equal(last.toolTip, 'Inlet: 1 call waiting for your approval');
    last.menu.find((item) => item.label === 'everything / tool9 from ai:claude…')!.click!();
    last.menu.find((item) => item.label === 'Connect an AI client')!.submenu!.find((item) => item.label === 'VS Code')!.click!();
    last.menu.find((item) => item.label === 'Quit Inlet')!.click!();
    assert.deepEqual(actions, [{ type: 'open-panel', view: 'pending/id-9' }, { type: 'connect', client: 'vscode' }, { type: 'quit' }]);
  });
});
