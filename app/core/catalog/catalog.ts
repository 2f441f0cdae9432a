import type { Prompt, Tool } from '@modelcontextprotocol/server';
import type { Logger } from '../base/log.js';
import type { ListKind, Provider, ProviderEvent } from '../providers/provider.js';
import { NamedList, type NamedEntry } from './named-list.js';
import { NameBook } from './names.js';
import { ProgressiveDiscovery, type Gate } from './progressive-discovery.js';
import { ResourceIndex, type ResourceRoute } from './resource-index.js';

export type CatalogTool = NamedEntry<Tool>;
export type CatalogPrompt = NamedEntry<Prompt>;

/** A resource a provider said changed, for the subscriptions (resource-subscriptions.ts). */
export type ResourceUpdate = { provider: Provider; uri: string; params?: Record<string, unknown> };

/**
 * Every live provider of every kind and what AI clients see of them: tools, prompts, resources
 * and resource templates (docs/provider-protocol.md). One provider per name. Each list is
 * cached until it changes; listeners hear each kind once per burst of changes (200 providers
 * connecting at once give an AI client a handful of notifications, not 200).
 */
export class Catalog {
  private readonly providers = new Map<string, Provider>();
  private readonly unlisten = new Map<Provider, () => void>();
  private readonly names = new NameBook();
  readonly tools: NamedList<Tool>;
  readonly prompts: NamedList<Prompt>;
  readonly resources = new ResourceIndex();
  private readonly listeners = new Set<(kind: ListKind) => void>();
  private readonly updateListeners = new Set<(update: ResourceUpdate) => void>();
  private readonly goneListeners = new Set<(provider: Provider, reason: string) => void>();
  private readonly pending = new Set<ListKind>();
  /** How many resources and templates each provider's last listing had. */
  private readonly resourceCounts = new Map<Provider, number>();

  constructor(
    private readonly log: Logger,
    /** Which providers' tools are listed in progressive-discovery form, and their gate. */
    private readonly progressive = new ProgressiveDiscovery(),
  ) {
    this.tools = new NamedList('tool', this.names, log);
    this.prompts = new NamedList('prompt', this.names, log);
  }

  /** Makes `provider` the live one for its name; returns the provider it replaces, if any. */
  attach(provider: Provider): Provider | undefined {
    const previous = this.providers.get(provider.name);
    if (previous) this.forget(previous);
    this.providers.set(provider.name, provider);
    this.unlisten.set(provider, provider.onEvent((event) => this.heard(provider, event)));
    // What it offers already (a built-in provider); a socket lists its own once it has started.
    for (const kind of ['tools', 'resources', 'prompts'] as const) this.refresh(provider, kind, false);
    if (previous) this.changed('tools');
    return previous;
  }

  /** Removes a provider if it is still the live one for its name (a replaced one is not). */
  detach(provider: Provider): boolean {
    if (this.providers.get(provider.name) !== provider) return false;
    this.forget(provider);
    return true;
  }

  provider(name: string): Provider | undefined {
    return this.providers.get(name);
  }

  allProviders(): Provider[] {
    return [...this.providers.values()];
  }

  /** The tool AI clients call `exposed`. */
  get(exposed: string): CatalogTool | undefined {
    return this.tools.get(exposed);
  }

  /** The tool list AI clients see (cached until the next change). */
  list(): Tool[] {
    return this.tools.list();
  }

  /** Counts tool-list changes: anything derived from the list is current while this stays the same. */
  get revision(): number {
    return this.tools.revision;
  }

  get size(): number {
    return this.tools.size;
  }

  /**
   * A call to a tool listed in progressive-discovery form: the hub's own answer (`readme`, or a
   * missing unlock token) or the arguments to pass on; `undefined` for a tool listed as it is.
   */
  gate(entry: CatalogTool, args: Record<string, unknown> | undefined): Gate | undefined {
    return this.progressive.gate(entry, args);
  }

  /** Lists again, in the form the config now asks for, the tools of providers that changed form. */
  relistChangedForms(): void {
    for (const provider of this.providers.values()) if (this.progressive.stale(provider)) this.refresh(provider, 'tools', true);
  }

  /** Where a resource URI an AI client sent goes (throws RpcError when nowhere, or ambiguous). */
  resolveResource(exposed: string): ResourceRoute {
    return this.resources.resolve(exposed, (name) => this.live(name), this.allProviders());
  }

  /** Where an exposed URI template goes (completion/complete's ref/resource). */
  resolveTemplate(exposed: string): ResourceRoute | undefined {
    return this.resources.template(exposed, (name) => this.live(name));
  }

  /** Hears each kind of list that changed, once per burst. Returns an unsubscribe. */
  onChange(listener: (kind: ListKind) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onResourceUpdated(listener: (update: ResourceUpdate) => void): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  /** Hears a live provider close (not one replaced by a new connection under its name). */
  onProviderGone(listener: (provider: Provider, reason: string) => void): () => void {
    this.goneListeners.add(listener);
    return () => this.goneListeners.delete(listener);
  }

  private live(name: string): Provider | undefined {
    const provider = this.providers.get(name);
    return provider?.state === 'closed' ? undefined : provider;
  }

  private heard(provider: Provider, event: ProviderEvent): void {
    if (this.providers.get(provider.name) !== provider) return;
    if (event.type === 'list-changed') this.refresh(provider, event.list, event.list === 'tools');
    else if (event.type === 'resource-updated') for (const listener of this.updateListeners) listener({ provider, uri: event.uri, params: event.params });
    else {
      this.forget(provider);
      for (const listener of this.goneListeners) listener(provider, event.reason);
    }
  }

  /**
   * Takes one of `provider`'s lists. AI clients hear of it when it was or is non-empty, or
   * `always` (a provider's own tools/list_changed is passed on, as before resources and prompts).
   */
  private refresh(provider: Provider, kind: ListKind, always: boolean): void {
    let changed: boolean;
    if (kind === 'tools') changed = this.tools.set(provider, this.progressive.present(provider, provider.tools));
    else if (kind === 'prompts') changed = this.prompts.set(provider, provider.prompts);
    else {
      const count = provider.resources.length + provider.resourceTemplates.length;
      changed = count > 0 || (this.resourceCounts.get(provider) ?? 0) > 0;
      this.resourceCounts.set(provider, count);
      if (changed) this.resources.rebuild(this.allProviders());
    }
    if (changed || always) this.changed(kind);
  }

  private forget(provider: Provider): void {
    this.unlisten.get(provider)?.();
    this.unlisten.delete(provider);
    this.providers.delete(provider.name);
    if (this.tools.drop(provider)) this.changed('tools');
    if (this.prompts.drop(provider)) this.changed('prompts');
    if ((this.resourceCounts.get(provider) ?? 0) > 0) {
      this.resources.rebuild(this.allProviders());
      this.changed('resources');
    }
    this.resourceCounts.delete(provider);
  }

  private changed(kind: ListKind): void {
    if (this.pending.has(kind)) return;
    if (this.pending.size === 0) {
      setImmediate(() => {
        const kinds = [...this.pending];
        this.pending.clear();
        for (const changed of kinds) for (const listener of this.listeners) listener(changed);
      });
    }
    this.pending.add(kind);
  }
}
