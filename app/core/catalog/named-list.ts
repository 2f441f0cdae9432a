import type { Logger } from '../base/log.js';
import type { Provider } from '../providers/provider.js';
import { bareBase, namespacedName, type NameBook } from './names.js';

/** One tool or prompt as AI clients see it, and where it goes. */
export interface NamedEntry<T extends { name: string }> {
  exposed: string;
  provider: Provider;
  /** Its own name at its provider. */
  original: string;
  /** The definition AI clients see: the provider's, under the exposed name. */
  definition: T;
}

/**
 * The tools (or the prompts) of every provider under the names AI clients see (names.ts). The
 * list is cached and rebuilt only when something changed, so listing is a lookup. A name that
 * cannot be given (a namespaced name already held) leaves that entry out, loudly: a name never
 * routes to two things.
 */
export class NamedList<T extends { name: string }> {
  private readonly entries = new Map<string, NamedEntry<T>>();
  private readonly byProvider = new Map<Provider, string[]>();
  private cached: T[] | null = null;
  revision = 0;

  constructor(
    private readonly what: 'tool' | 'prompt',
    private readonly names: NameBook,
    private readonly log: Logger,
  ) {}

  /** Takes `provider`'s current list in place of its previous one; false when both are empty. */
  set(provider: Provider, list: readonly T[]): boolean {
    const had = this.drop(provider);
    const exposedNames: string[] = [];
    for (const item of list) {
      const exposed = this.names.assign(provider.kind, provider.name, item.name, (candidate) => this.entries.has(candidate));
      if (exposed === undefined) {
        const holder = this.entries.get(provider.kind === 'registrant' ? bareBase(item.name) : namespacedName(provider.name, item.name));
        this.log.error(`${this.what} name collision; ${this.what} left out`, {
          provider: provider.name,
          [this.what]: item.name,
          holder: holder ? `${holder.provider.name}/${holder.original}` : undefined,
        });
        continue;
      }
      if (provider.kind === 'registrant' && exposed !== item.name) {
        this.log.info(`${this.what} name taken; renamed`, { provider: provider.name, [this.what]: item.name, exposed });
      }
      this.entries.set(exposed, { exposed, provider, original: item.name, definition: { ...item, name: exposed } });
      exposedNames.push(exposed);
    }
    this.byProvider.set(provider, exposedNames);
    this.touch();
    return had || exposedNames.length > 0;
  }

  /** Removes `provider`'s entries; true when it had any. */
  drop(provider: Provider): boolean {
    const held = this.byProvider.get(provider);
    if (!held) return false;
    for (const exposed of held) this.entries.delete(exposed);
    this.byProvider.delete(provider);
    this.touch();
    return held.length > 0;
  }

  get(exposed: string): NamedEntry<T> | undefined {
    return this.entries.get(exposed);
  }

  namesOf(provider: Provider): readonly string[] {
    return this.byProvider.get(provider) ?? [];
  }

  list(): T[] {
    if (!this.cached) this.cached = [...this.entries.values()].map((entry) => entry.definition);
    return this.cached;
  }

  get size(): number {
    return this.entries.size;
  }

  private touch(): void {
    this.cached = null;
    this.revision++;
  }
}
