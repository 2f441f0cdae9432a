import type { CallToolResult } from '@modelcontextprotocol/server';
import type { Logger } from '../base/log.js';
import type { Catalog } from '../catalog/catalog.js';
import { providerNameFor } from '../security/roles.js';
import { RegisteredTool, type RegistrantSession } from './registered-tool.js';
import { LIMITS, parseRemoteRequest, registeredText, REMOTE_TOOL_NAME, type RegisterRequest } from './remote-tool.js';
import { textResult } from '../providers/provider.js';

export interface RegistrantsOptions {
  catalog: Catalog;
  log: Logger;
}

export interface Registration {
  name: string;
  renamedFrom: string | null;
  replaced: boolean;
}

/**
 * The tools MCP-Link clients registered through `remote` (docs/mcp-link.md): the names, the
 * register / unregister / list operations, and where each `tools/reply` goes. Name rule, as
 * MCP-Link's: a name already held is taken over by a registration with the same TOOL_API_KEY
 * from the same token identity, keeping the name;
 * a holder whose session is gone gives the name up; otherwise the newcomer gets `name2`,
 * `name3`… Built-in tools and every name AI clients already see count as taken.
 */
export class Registrants {
  private readonly byName = new Map<string, RegisteredTool>();

  constructor(private readonly options: RegistrantsOptions) {}

  /** One `tools/call` of `remote` from `session`. */
  handle(session: RegistrantSession, args: Record<string, unknown> | undefined): { result: CallToolResult; registered?: Registration } {
    const request = parseRemoteRequest(args);
    if (typeof request === 'string') return { result: textResult(`Invalid remote request: ${request}.`, true) };
    if (request.operation === 'list') return { result: textResult(JSON.stringify({ registered_tools: this.list() }, null, 2)) };
    if (request.operation === 'unregister') {
      const tool = this.byName.get(request.tool_name.trim());
      if (!tool || tool.request.TOOL_API_KEY !== request.TOOL_API_KEY) {
        // One answer for both cases, so it cannot be used to probe for names or keys.
        return { result: textResult(`Cannot unregister '${request.tool_name}': unknown tool or TOOL_API_KEY mismatch`, true) };
      }
      this.remove(tool, 'unregistered');
      return { result: textResult(JSON.stringify({ unregistered: tool.toolName })) };
    }
    if (providerNameFor(session.identity.clientId) === undefined) {
      // roles.ts: AI-client and admin tokens call tools; offering them takes an extension's or add-in's.
      return { result: textResult(`Cannot register '${request.tool_name}': ${session.identity.clientId} is a token that calls tools, not one that offers them; use an add-in token (the native host gives one).`, true) };
    }
    const held = [...this.byName.values()].filter((t) => t.session.id === session.id && t.request.tool_name !== request.tool_name).length;
    if (held >= LIMITS.toolsPerSession) {
      return { result: textResult(`Cannot register '${request.tool_name}': one connection may register at most ${LIMITS.toolsPerSession} tools.`, true) };
    }
    const registered = this.register(session, request);
    return { result: textResult(registeredText(registered.name, registered.renamedFrom, registered.replaced)), registered };
  }

  private register(session: RegistrantSession, request: RegisterRequest): Registration {
    const wanted = request.tool_name;
    let replaced = false;
    const holder = this.byName.get(wanted);
    if (holder && sameRegistrant(holder, session, request)) {
      this.remove(holder, 'replaced by a new registration with the same key');
      replaced = true;
    } else if (holder && !holder.session.alive()) {
      this.remove(holder, 'its registrant connection is gone');
    }
    const name = this.freeName(wanted);
    const tool = new RegisteredTool(name, request, session, this.options.log);
    this.byName.set(name, tool);
    // Its `closed` event takes it out of the catalog, which fails approvals still waiting on it.
    tool.onClosed = () => {
      if (this.byName.get(name) === tool) this.byName.delete(name);
    };
    this.options.catalog.attach(tool);
    const renamedFrom = name === wanted ? null : wanted;
    this.options.log.info('tool registered', { tool: name, renamedFrom, replaced, caller: session.identity.clientId });
    return { name, renamedFrom, replaced };
  }

  /** `wanted` if free, else the first free `wanted2`, `wanted3`… (kept within 64 characters). */
  private freeName(wanted: string): string {
    const taken = (name: string) => name === REMOTE_TOOL_NAME || this.byName.has(name) || this.options.catalog.get(name) !== undefined;
    if (!taken(wanted)) return wanted;
    for (let n = 2; ; n++) {
      const suffix = String(n);
      const name = `${wanted.slice(0, 64 - suffix.length)}${suffix}`;
      if (!taken(name)) return name;
    }
  }

  /** A `tools/reply` from any session (MCP-Link matches replies by call id only). */
  reply(callId: string, params: unknown): boolean {
    for (const tool of this.byName.values()) if (tool.reply(callId, params)) return true;
    return false;
  }

  /** The session ended: every tool it registered goes, and their waiting calls fail. */
  sessionClosed(sessionId: string): void {
    for (const tool of [...this.byName.values()]) if (tool.session.id === sessionId) this.remove(tool, 'its registrant disconnected');
  }

  /** The tools `sessionId` registered. */
  namesOf(sessionId: string): string[] {
    return [...this.byName.values()].filter((t) => t.session.id === sessionId).map((t) => t.toolName);
  }

  list(): Array<{ name: string; registered_at: string; session_alive: boolean; callback_endpoint: string | null; registered_by: string }> {
    return [...this.byName.values()].map((t) => ({
      name: t.toolName,
      registered_at: t.registeredAt,
      session_alive: t.session.alive(),
      callback_endpoint: t.request.callback_endpoint ?? null,
      registered_by: t.identity.clientId,
    }));
  }

  closeAll(): void {
    for (const tool of [...this.byName.values()]) this.remove(tool, 'the hub is shutting down');
  }

  private remove(tool: RegisteredTool, reason: string): void {
    tool.close(1000, reason);
  }
}

/**
 * The same registrant again (a restart): the same TOOL_API_KEY from a token of the same identity.
 * MCP-Link also accepts the same callback_endpoint; Inlet does not (docs/decisions.md): published
 * clients hard-code it, so two copies of one client would keep evicting each other.
 */
function sameRegistrant(holder: RegisteredTool, session: RegistrantSession, request: RegisterRequest): boolean {
  return holder.identity.clientId === session.identity.clientId && holder.request.TOOL_API_KEY === request.TOOL_API_KEY;
}
