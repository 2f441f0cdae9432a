import { describeError } from '../base/errors.js';
import type { Logger } from '../base/log.js';
import { RpcError, RPC } from '../base/rpc-error.js';
import type { Provider } from '../providers/provider.js';
import type { Catalog, ResourceUpdate } from './catalog.js';

/** Whoever hears `notifications/resources/updated`: one AI session, or the 2026 listen streams together. */
export interface Subscriber {
  /** `uri` is the URI the subscriber subscribed with (the exposed one). */
  send(uri: string, params?: Record<string, unknown>): void;
}

interface Upstream {
  provider: Provider;
  uri: string;
  /** Each subscriber's exposed URIs for this resource, each with how many times it subscribed. */
  subscribers: Map<Subscriber, Map<string, number>>;
  /** The provider-side subscribe (awaited by later subscribers too). */
  ready: Promise<void>;
}

/**
 * Resource subscriptions across the hub: the provider is asked to subscribe when the first AI
 * client subscribes to one of its resources and to unsubscribe when the last one lets go (or
 * its session ends); each `notifications/resources/updated` it sends goes to the clients that
 * subscribed, under the URI each of them used. Subscriptions belong to the provider's name, not
 * to one connection: when a provider with that name connects again (a bridge restarted, an
 * add-in reloaded) and lists its resources, the hub subscribes there again, so the AI clients
 * keep hearing updates without knowing it went away.
 */
export class ResourceSubscriptions {
  private readonly upstream = new Map<string, Upstream>();

  constructor(
    private readonly catalog: Catalog,
    private readonly log: Logger,
  ) {
    catalog.onResourceUpdated((update) => this.updated(update));
    // Its subscriptions wait for the next provider of that name; there is nothing to unsubscribe.
    catalog.onProviderGone((provider) => {
      for (const entry of this.upstream.values()) if (entry.provider === provider) entry.ready = Promise.resolve();
    });
    catalog.onChange((kind) => {
      if (kind === 'resources') this.resubscribe();
    });
  }

  async subscribe(subscriber: Subscriber, exposed: string): Promise<void> {
    const { provider, uri } = this.catalog.resolveResource(exposed);
    if (!provider.capabilities.resources?.subscribe) {
      throw new RpcError(RPC.INVALID_PARAMS, `Provider "${provider.name}" does not offer resource subscriptions (${exposed}).`);
    }
    const key = keyOf(provider, uri);
    let entry = this.upstream.get(key);
    if (!entry) {
      const created: Upstream = { provider, uri, subscribers: new Map(), ready: provider.subscribeResource(uri) };
      this.upstream.set(key, (entry = created));
      created.ready.catch(() => {
        if (this.upstream.get(key) === created) this.upstream.delete(key);
      });
    }
    const uris = entry.subscribers.get(subscriber) ?? new Map<string, number>();
    uris.set(exposed, (uris.get(exposed) ?? 0) + 1);
    entry.subscribers.set(subscriber, uris);
    try {
      await entry.ready;
    } catch (error) {
      throw new RpcError(RPC.INTERNAL_ERROR, `Provider "${provider.name}" refused the subscription to ${uri}: ${describeError(error).replace(/\.$/, '')}.`);
    }
  }

  /** Takes back one subscription of `subscriber` to `exposed` (unknown ones are ignored). */
  unsubscribe(subscriber: Subscriber, exposed: string): void {
    for (const [key, entry] of this.upstream) {
      const uris = entry.subscribers.get(subscriber);
      const count = uris?.get(exposed);
      if (!uris || count === undefined) continue;
      if (count > 1) uris.set(exposed, count - 1);
      else uris.delete(exposed);
      if (uris.size === 0) entry.subscribers.delete(subscriber);
      this.release(key, entry);
    }
  }

  /** A session ended: all its subscriptions go. */
  drop(subscriber: Subscriber): void {
    for (const [key, entry] of this.upstream) {
      if (entry.subscribers.delete(subscriber)) this.release(key, entry);
    }
  }

  /** How many provider-side subscriptions are open (for tests and status). */
  get size(): number {
    return this.upstream.size;
  }

  /** Moves the subscriptions of a provider that went to the one now connected under its name. */
  private resubscribe(): void {
    for (const [key, entry] of this.upstream) {
      const live = this.catalog.provider(entry.provider.name);
      if (!live || live === entry.provider || live.state === 'closed') continue;
      if (!live.capabilities.resources?.subscribe) {
        this.log.warn('resource subscriptions dropped: the provider came back without them', { provider: live.name, uri: entry.uri });
        this.upstream.delete(key);
        continue;
      }
      const renewed = live.subscribeResource(entry.uri);
      entry.provider = live;
      entry.ready = renewed;
      renewed.then(
        () => this.log.info('resource subscription renewed after the provider reconnected', { provider: live.name, uri: entry.uri }),
        (error: unknown) => {
          this.log.warn('resource subscription lost: the reconnected provider refused it', { provider: live.name, uri: entry.uri, error: describeError(error) });
          if (this.upstream.get(key) === entry) this.upstream.delete(key);
        },
      );
    }
  }

  private release(key: string, entry: Upstream): void {
    if (entry.subscribers.size > 0) return;
    this.upstream.delete(key);
    if (entry.provider.state === 'closed') return;
    void entry.ready
      .then(() => entry.provider.unsubscribeResource(entry.uri))
      .catch((error: unknown) => this.log.debug('unsubscribe at the provider failed', { provider: entry.provider.name, uri: entry.uri, error: describeError(error) }));
  }

  private updated({ provider, uri, params }: ResourceUpdate): void {
    const entry = this.upstream.get(keyOf(provider, uri));
    if (!entry) return;
    for (const [subscriber, uris] of entry.subscribers) for (const exposed of uris.keys()) subscriber.send(exposed, params);
  }
}

function keyOf(provider: Provider, uri: string): string {
  return `${provider.name}\0${uri}`;
}
