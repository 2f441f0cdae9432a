import { UriTemplate, type Resource, type ResourceTemplateType } from '@modelcontextprotocol/client';
import { RpcError, RPC } from '../base/rpc-error.js';
import type { Provider } from '../providers/provider.js';

/** The MCP error for a resource nobody offers. */
export const RESOURCE_NOT_FOUND = -32002;
/** The prefix that names a provider's resource explicitly: `inlet://<provider>/<its own URI>`. */
const SCHEME = 'inlet://';

/** Where one exposed URI (or URI template) goes: a provider and its own URI. */
export interface ResourceRoute {
  provider: Provider;
  uri: string;
}

interface Indexed<T> extends ResourceRoute {
  definition: T;
}

/**
 * The URIs AI clients see (docs/decisions.md, Resource URIs): a URI one provider offers is
 * kept as it is, so links in tool results and answers read directly stay right; a URI two or
 * more providers offer is shown once per provider as `inlet://<provider>/<uri>`, and the bare
 * URI is refused as ambiguous, never routed to one of them by guess. `inlet://<provider>/<uri>`
 * reaches that provider's `<uri>` at any time.
 */
export function wrapUri(provider: string, uri: string): string {
  return `${SCHEME}${encodeURIComponent(provider)}/${uri}`;
}

/** `inlet://<provider>/<uri>` read back, or undefined for any other URI. */
export function unwrapUri(exposed: string): { provider: string; uri: string } | undefined {
  if (!exposed.startsWith(SCHEME)) return undefined;
  const slash = exposed.indexOf('/', SCHEME.length);
  if (slash === -1) return undefined;
  try {
    return { provider: decodeURIComponent(exposed.slice(SCHEME.length, slash)), uri: exposed.slice(slash + 1) };
  } catch {
    return undefined;
  }
}

/**
 * The resources and resource templates of every provider under exposed URIs, rebuilt as a whole
 * when any provider's list changes (a new clash can rename another provider's entries).
 */
export class ResourceIndex {
  private resources = new Map<string, Indexed<Resource>>();
  private templates = new Map<string, Indexed<ResourceTemplateType>>();
  /** Bare URIs more than one provider offers, with their providers. */
  private clashes = new Map<string, Provider[]>();
  private compiled = new Map<string, UriTemplate | null>();
  private cachedResources: Resource[] = [];
  private cachedTemplates: ResourceTemplateType[] = [];
  revision = 0;

  rebuild(providers: readonly Provider[]): void {
    this.clashes = new Map();
    this.resources = index(providers, (p) => p.resources, (r) => r.uri, (r, uri) => ({ ...r, uri }), this.clashes);
    this.templates = index(providers, (p) => p.resourceTemplates, (t) => t.uriTemplate, (t, uriTemplate) => ({ ...t, uriTemplate }), new Map());
    this.cachedResources = [...this.resources.values()].map((entry) => entry.definition);
    this.cachedTemplates = [...this.templates.values()].map((entry) => entry.definition);
    this.revision++;
  }

  listResources(): Resource[] {
    return this.cachedResources;
  }

  listTemplates(): ResourceTemplateType[] {
    return this.cachedTemplates;
  }

  /** The exposed URI template `exposed` (for completion/complete's ref/resource). */
  template(exposed: string, live: (name: string) => Provider | undefined): ResourceRoute | undefined {
    const entry = this.templates.get(exposed);
    if (entry) return { provider: entry.provider, uri: entry.uri };
    return explicit(exposed, live);
  }

  /**
   * Where a `resources/read` (or subscribe) of `exposed` goes: a listed URI, `inlet://…`, a URI
   * one provider's template matches, else the one provider that offers resources at all.
   * Throws RpcError when no provider or more than one could be meant.
   */
  resolve(exposed: string, live: (name: string) => Provider | undefined, all: readonly Provider[]): ResourceRoute {
    const listed = this.resources.get(exposed);
    if (listed) return { provider: listed.provider, uri: listed.uri };
    const named = explicit(exposed, live);
    if (named) return named;
    if (exposed.startsWith(SCHEME)) throw new RpcError(RESOURCE_NOT_FOUND, `Resource not found: ${exposed} (no connected provider by that name).`);
    const clash = this.clashes.get(exposed);
    if (clash) throw ambiguous(exposed, clash);
    const matching = [...this.templates.values()].filter((t) => this.compile(t.uri)?.match(exposed));
    const byTemplate = [...new Set(matching.map((t) => t.provider))];
    if (byTemplate.length === 1) return { provider: byTemplate[0]!, uri: exposed };
    if (byTemplate.length > 1) throw ambiguous(exposed, byTemplate);
    const offering = all.filter((p) => p.capabilities.resources);
    if (offering.length === 1) return { provider: offering[0]!, uri: exposed };
    throw new RpcError(RESOURCE_NOT_FOUND, `Resource not found: ${exposed} (no connected provider lists it).`);
  }

  private compile(template: string): UriTemplate | null {
    let compiled = this.compiled.get(template);
    if (compiled === undefined) {
      try {
        compiled = new UriTemplate(template);
      } catch {
        compiled = null;
      }
      if (this.compiled.size > 10_000) this.compiled.clear();
      this.compiled.set(template, compiled);
    }
    return compiled;
  }
}

function index<T>(
  providers: readonly Provider[],
  listOf: (p: Provider) => readonly T[],
  uriOf: (entry: T) => string,
  withUri: (entry: T, uri: string) => T,
  clashes: Map<string, Provider[]>,
): Map<string, Indexed<T>> {
  const offeredBy = new Map<string, Provider[]>();
  for (const provider of providers) {
    for (const entry of listOf(provider)) {
      const holders = offeredBy.get(uriOf(entry)) ?? [];
      if (!holders.includes(provider)) holders.push(provider);
      offeredBy.set(uriOf(entry), holders);
    }
  }
  const out = new Map<string, Indexed<T>>();
  for (const provider of providers) {
    for (const entry of listOf(provider)) {
      const uri = uriOf(entry);
      const shared = (offeredBy.get(uri)?.length ?? 0) > 1;
      if (shared) clashes.set(uri, offeredBy.get(uri)!);
      const exposed = shared ? wrapUri(provider.name, uri) : uri;
      if (!out.has(exposed)) out.set(exposed, { provider, uri, definition: exposed === uri ? entry : withUri(entry, exposed) });
    }
  }
  return out;
}

function explicit(exposed: string, live: (name: string) => Provider | undefined): ResourceRoute | undefined {
  const wrapped = unwrapUri(exposed);
  const provider = wrapped && live(wrapped.provider);
  return provider ? { provider, uri: wrapped.uri } : undefined;
}

function ambiguous(uri: string, providers: readonly Provider[]): RpcError {
  const choices = providers.map((p) => wrapUri(p.name, uri)).sort().join(' or ');
  return new RpcError(RPC.INVALID_PARAMS, `Resource ${uri} is offered by ${providers.length} providers; read ${choices}.`);
}
