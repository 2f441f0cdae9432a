import type { Tool } from '@modelcontextprotocol/server';
import type { Logger } from '../base/log.js';
import type { Provider } from '../providers/provider.js';
import { exposedToolName } from './tool-names.js';

export interface RegisteredTool {
  exposed: string;
  provider: Provider;
  /** The tool's own name at its provider. */
  toolName: string;
  /** The definition AI clients see: the provider's, with the exposed name. */
  definition: Tool;
}

/**
 * The registry's key for a provider: socket providers by name, others as `KIND:NAME`, so a
 * registrant `browser` and the companion extension's provider `browser` never replace each other.
 */
export function providerKey(provider: Pick<Provider, 'kind' | 'name'>): string {
  return provider.kind === 'socket' ? provider.name : `${provider.kind}:${provider.name}`;
}

/**
 * Every live provider and the tools AI clients see. One connection per provider name; the
 * tool list is cached and rebuilt only when something changed, so `tools/list` is a lookup.
 */
export class ToolRegistry {
  /** By providerKey(): socket providers by name, registrants as `registrant:NAME`. */
  private readonly providers = new Map<string, Provider>();
  private readonly tools = new Map<string, RegisteredTool>();
  private readonly byProvider = new Map<string, string[]>();
  private cachedList: Tool[] | null = null;
  private changes = 0;
  private readonly listeners = new Set<() => void>();
  private notifyScheduled = false;
  private builtins: Tool[] = [];

  constructor(private readonly log: Logger) {}

  /** Tools the hub itself offers (permissions__approve); listed first, never shadowed. */
  setBuiltins(tools: Tool[]): void {
    this.builtins = tools;
    this.cachedList = null;
    this.changes++;
  }

  /** Makes `connection` the live one for its name; returns the connection it replaces, if any. */
  attach<P extends Provider>(connection: P): Provider | undefined {
    const key = providerKey(connection);
    const previous = this.providers.get(key);
    if (previous) this.dropTools(key);
    this.providers.set(key, connection);
    if (previous) this.changed();
    return previous;
  }

  /** Removes a connection if it is still the live one for its name (a replaced one is not). */
  detach(connection: Provider): boolean {
    const key = providerKey(connection);
    if (this.providers.get(key) !== connection) return false;
    this.providers.delete(key);
    this.dropTools(key);
    this.changed();
    return true;
  }

  /** Takes the connection's current tool list. */
  updateTools(connection: Provider): void {
    const key = providerKey(connection);
    if (this.providers.get(key) !== connection) return;
    this.dropTools(key);
    const names: string[] = [];
    for (const tool of connection.tools) {
      // A registrant's tool keeps its bare name (the registrants chose a free one).
      const exposed = connection.kind === 'registrant' ? tool.name : exposedToolName(connection.name, tool.name);
      const clash = this.tools.get(exposed);
      if (this.builtins.some((b) => b.name === exposed)) {
        this.log.error('tool name taken by a built-in tool; tool left out', { exposed, provider: connection.name, tool: tool.name });
        continue;
      }
      if (clash) {
        // Never route silently to the wrong tool: the later one is left out, loudly.
        this.log.error('tool name collision; tool left out', {
          exposed,
          provider: connection.name,
          tool: tool.name,
          holder: `${clash.provider.name}/${clash.toolName}`,
        });
        continue;
      }
      this.tools.set(exposed, { exposed, provider: connection, toolName: tool.name, definition: { ...tool, name: exposed } as Tool });
      names.push(exposed);
    }
    this.byProvider.set(key, names);
    this.changed();
  }

  get(exposed: string): RegisteredTool | undefined {
    return this.tools.get(exposed);
  }

  /** The socket provider connected under `name`. */
  provider(name: string): Provider | undefined {
    return this.providers.get(name);
  }

  allProviders(): Provider[] {
    return [...this.providers.values()];
  }

  exposedNamesOf(provider: Pick<Provider, 'kind' | 'name'>): readonly string[] {
    return this.byProvider.get(providerKey(provider)) ?? [];
  }

  /** Whether AI clients already see a tool (or a built-in) called `name`. */
  isTaken(name: string): boolean {
    return this.tools.has(name) || this.builtins.some((b) => b.name === name);
  }

  /** The tool list AI clients see (cached until the next change). */
  list(): Tool[] {
    if (!this.cachedList) this.cachedList = [...this.builtins, ...[...this.tools.values()].map((entry) => entry.definition)];
    return this.cachedList;
  }

  /** Counts changes of the list: anything derived from it is current while this stays the same. */
  get revision(): number {
    return this.changes;
  }

  get size(): number {
    return this.tools.size;
  }

  /** Subscribes to changes; listeners run once per burst of changes. Returns an unsubscribe. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private dropTools(name: string): void {
    for (const exposed of this.byProvider.get(name) ?? []) this.tools.delete(exposed);
    this.byProvider.delete(name);
  }

  private changed(): void {
    this.cachedList = null;
    this.changes++;
    if (this.notifyScheduled) return;
    this.notifyScheduled = true;
    // Coalesce: 200 providers connecting at once give each AI session a handful of
    // notifications, not 200. The list itself is already current.
    setImmediate(() => {
      this.notifyScheduled = false;
      for (const listener of this.listeners) listener();
    });
  }
}
