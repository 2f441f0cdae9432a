import type { Prompt, Resource, ResourceTemplateType, ServerCapabilities, Tool } from '@modelcontextprotocol/client';
import type { Logger } from '../base/log.js';
import { asRpcError } from '../base/rpc-error.js';
import type { ProviderLimits } from '../config/config.js';
import { fetchList, listMethod, type FetchPage, type ListName } from './list-fetch.js';
import type { ListKind } from './provider.js';
import { Relister } from './relister.js';

/** Entries left out of one listing that are logged one by one; the rest are counted. */
const LEFT_OUT_LOGGED = 5;

/** What a refusal of each kind of list is called, for the provider's close reason. */
const REFUSAL: Record<ListKind, string> = { tools: 'The tool list was refused', resources: 'The resource list was refused', prompts: 'The prompt list was refused' };

export interface ProviderListsOptions {
  provider: string;
  limits: ProviderLimits;
  log: Logger;
  /** Asks the provider for one page of a list. */
  page: (method: string, cursor: string | undefined) => Promise<unknown>;
  capabilities: () => ServerCapabilities;
  /** False while the connection starts or once it is closed. */
  ready: () => boolean;
  closed: () => boolean;
  /** A list changed (after the first listing too). */
  changed: (list: ListKind) => void;
  /** Ends the provider with this reason (a list broke a bound or the protocol). */
  refuse: (reason: string) => void;
  describe: (error: unknown, step: string) => string;
}

/**
 * One provider's tools, resources, resource templates and prompts, read at start-up and again
 * after each `list_changed` (coalesced per list, relister.ts). Tools are always read; the other
 * lists when the provider declared them, or once it says they changed. A list that breaks a
 * bound ends the provider; a provider that answers `resources/list` or `prompts/list` with an
 * error keeps its tools (that list stays empty, and the hub warns).
 */
export class ProviderLists {
  tools: Tool[] = [];
  resources: Resource[] = [];
  resourceTemplates: ResourceTemplateType[] = [];
  prompts: Prompt[] = [];
  private readonly relisters: Record<ListKind, Relister>;

  constructor(private readonly options: ProviderListsOptions) {
    const relister = (kind: ListKind) =>
      new Relister({
        run: () => this.read(kind),
        intervalMs: options.limits.relistIntervalMs,
        timeoutMs: options.limits.startupTimeoutMs,
        ready: options.ready,
        fail: (error, timedOut) =>
          options.refuse(
            timedOut
              ? `${REFUSAL[kind]}: ${methodsOf(kind)} took longer than ${formatSeconds(options.limits.startupTimeoutMs)} (startup_timeout_s).`
              : `${REFUSAL[kind]}: ${options.describe(error, methodsOf(kind))}.`,
          ),
      });
    this.relisters = { tools: relister('tools'), resources: relister('resources'), prompts: relister('prompts') };
  }

  /** The start-up listings, in order; `step` hears which one runs (for the start-up deadline's message). */
  async first(step: (method: string) => void): Promise<void> {
    const capabilities = this.options.capabilities();
    step('tools/list');
    await this.relisters.tools.first();
    if (capabilities.resources) {
      step('resources/list');
      await this.relisters.resources.first();
    }
    if (capabilities.prompts) {
      step('prompts/list');
      await this.relisters.prompts.first();
    }
  }

  /** Re-lists that were asked for while the start-up ran. */
  catchUp(): void {
    for (const relister of Object.values(this.relisters)) relister.catchUp();
  }

  changed(kind: ListKind): void {
    if (!this.options.closed()) this.relisters[kind].changed();
  }

  stop(): void {
    for (const relister of Object.values(this.relisters)) relister.stop();
  }

  private async read(kind: ListKind): Promise<void> {
    if (kind === 'tools') {
      const tools = await this.fetch('tools');
      if (tools === undefined) return;
      this.tools = tools;
    } else if (kind === 'resources') {
      const resources = await this.fetch('resources');
      const templates = resources === undefined ? undefined : await this.fetch('resourceTemplates');
      if (resources === undefined || templates === undefined) return;
      this.resources = resources;
      this.resourceTemplates = templates;
    } else {
      const prompts = await this.fetch('prompts');
      if (prompts === undefined) return;
      this.prompts = prompts;
    }
    if (!this.options.closed()) this.options.changed(kind);
  }

  /**
   * One whole list, the bad entries logged; undefined when the connection closed meanwhile.
   * A JSON-RPC error to anything but tools/list (or a templates list the provider lacks) is an
   * empty list and a warning.
   */
  private async fetch<K extends ListName>(list: K): Promise<Array<import('./list-fetch.js').ListEntries[K]> | undefined> {
    const { provider, log } = this.options;
    const method = listMethod(list);
    const page: FetchPage = (cursor) => this.options.page(method, cursor);
    let result;
    try {
      result = await fetchList(list, page, this.options.limits);
    } catch (error) {
      const rpc = list === 'tools' ? undefined : asRpcError(error);
      if (!rpc || this.options.closed()) throw error;
      if (list !== 'resourceTemplates' || rpc.code !== -32601) log.warn(`the provider answered ${method} with an error; it offers none`, { provider, code: rpc.code, error: rpc.message });
      return [];
    }
    if (this.options.closed()) return undefined;
    for (const problem of result.leftOut.slice(0, LEFT_OUT_LOGGED)) log.warn(`${list === 'tools' ? 'tool' : 'entry'} left out`, { provider, problem });
    if (result.leftOut.length > LEFT_OUT_LOGGED) log.warn('more entries left out', { provider, count: result.leftOut.length - LEFT_OUT_LOGGED });
    return result.entries;
  }
}

function methodsOf(kind: ListKind): string {
  return kind === 'tools' ? 'tools/list' : kind === 'resources' ? 'resources/list' : 'prompts/list';
}

export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}
