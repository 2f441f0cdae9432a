import type { JSONRPCMessage } from '@modelcontextprotocol/client';

type Id = string | number;
type Msg = Record<string, unknown> & { id?: Id; method?: string; params?: Record<string, unknown> & { _meta?: Record<string, unknown> } };

/** The `_meta` key naming the `subscriptions/listen` request a 2026-07-28 notification belongs to. */
const SUBSCRIPTION_ID = 'io.modelcontextprotocol/subscriptionId';

/**
 * The message rules of `inlet bridge`, kept free of sockets and processes so they are easy to
 * reason about. The hub (an MCP client) may reconnect many times while the stdio server lives
 * on, so:
 * - hub request ids are renumbered for the child, so a late answer to a request from a lost
 *   connection can never be mistaken for an answer to a new one;
 * - the child is initialized once; the hub's re-`initialize` after a reconnect is answered from
 *   the first answer, and its repeated `notifications/initialized` is not passed on;
 * - when a connection is lost, the child hears `notifications/cancelled` for every request of
 *   that connection, and its own pending requests to the hub get an error.
 * Either revision passes: 2025 (`initialize`) and 2026-07-28 (`server/discover`, then every
 * request on its own). A 2026 `subscriptions/listen` is a request that stays open; the child's
 * notifications on it name it by id (`_meta` subscriptionId, and `notifications/cancelled` when
 * the child ends it), so those ids are renumbered back for the hub as answers are.
 */
export class BridgeRelay {
  toChild: (message: JSONRPCMessage) => void = () => undefined;
  toHub: (message: JSONRPCMessage) => void = () => undefined;
  private nextId = 1;
  /** child-side id → hub-side id, for hub requests of the current connection. */
  private readonly fromHub = new Map<number, Id>();
  private readonly hubToChild = new Map<Id, number>();
  /** Child-side ids of the hub's open `subscriptions/listen` requests. */
  private readonly listens = new Set<number>();
  /** Requests the child sent to the hub and that are not answered yet. */
  private readonly childPending = new Set<Id>();
  private initResult: Record<string, unknown> | undefined;
  private initRequestId: number | undefined;
  private childInitialized = false;
  private connected = false;

  /** The child was (re)started: it needs a fresh initialize. */
  childRestarted(): void {
    this.initResult = undefined;
    this.initRequestId = undefined;
    this.childInitialized = false;
    this.fromHub.clear();
    this.hubToChild.clear();
    this.listens.clear();
    this.childPending.clear();
  }

  hubConnected(): void {
    this.connected = true;
  }

  hubDisconnected(reason: string): void {
    this.connected = false;
    for (const childId of this.fromHub.keys()) {
      this.toChild({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: childId, reason } } as JSONRPCMessage);
    }
    this.fromHub.clear();
    this.hubToChild.clear();
    this.listens.clear();
    for (const id of this.childPending) {
      this.toChild({ jsonrpc: '2.0', id, error: { code: -32000, message: `The hub connection was lost (${reason}).` } } as JSONRPCMessage);
    }
    this.childPending.clear();
  }

  fromHubMessage(message: JSONRPCMessage): void {
    const m = message as unknown as Msg;
    if (m.method !== undefined && m.id !== undefined) {
      if (m.method === 'initialize' && this.initResult) {
        this.toHub({ jsonrpc: '2.0', id: m.id, result: this.initResult } as JSONRPCMessage);
        return;
      }
      const childId = this.nextId++;
      this.fromHub.set(childId, m.id);
      this.hubToChild.set(m.id, childId);
      if (m.method === 'initialize') this.initRequestId = childId;
      if (m.method === 'subscriptions/listen') this.listens.add(childId);
      this.toChild({ ...m, id: childId } as unknown as JSONRPCMessage);
      return;
    }
    if (m.method !== undefined) {
      if (m.method === 'notifications/initialized') {
        if (this.childInitialized) return;
        this.childInitialized = true;
      }
      if (m.method === 'notifications/cancelled' && m.params) {
        const childId = this.hubToChild.get(m.params.requestId as Id);
        if (childId === undefined) return;
        this.forget(childId);
        this.toChild({ ...m, params: { ...m.params, requestId: childId } } as unknown as JSONRPCMessage);
        return;
      }
      this.toChild(message);
      return;
    }
    // A response to one of the child's requests.
    if (m.id !== undefined && this.childPending.delete(m.id)) this.toChild(message);
  }

  fromChildMessage(message: JSONRPCMessage): void {
    const m = message as unknown as Msg;
    if (m.method === undefined) {
      const childId = m.id as number;
      const hubId = this.fromHub.get(childId);
      if (hubId === undefined) return; // answer to a request of a lost connection, or cancelled
      this.forget(childId);
      if (childId === this.initRequestId && m.result) this.initResult = m.result as Record<string, unknown>;
      this.toHub({ ...m, id: hubId } as unknown as JSONRPCMessage);
      return;
    }
    if (m.id === undefined) {
      if (this.connected) this.toHub(this.renumberNotification(m));
      return;
    }
    if (!this.connected) {
      this.toChild({ jsonrpc: '2.0', id: m.id, error: { code: -32000, message: 'The hub is not connected.' } } as JSONRPCMessage);
      return;
    }
    this.childPending.add(m.id);
    this.toHub(message);
  }

  /** A notification on one of the hub's listen requests, naming it by the hub's own id. */
  private renumberNotification(m: Msg): JSONRPCMessage {
    const params = m.params;
    const subscription = params?._meta?.[SUBSCRIPTION_ID];
    if (typeof subscription === 'number' && this.listens.has(subscription)) {
      return { ...m, params: { ...params, _meta: { ...params!._meta, [SUBSCRIPTION_ID]: this.fromHub.get(subscription) } } } as unknown as JSONRPCMessage;
    }
    const cancelled = params?.requestId;
    if (m.method === 'notifications/cancelled' && typeof cancelled === 'number' && this.listens.has(cancelled)) {
      const hubId = this.fromHub.get(cancelled);
      this.forget(cancelled);
      return { ...m, params: { ...params, requestId: hubId } } as unknown as JSONRPCMessage;
    }
    return m as unknown as JSONRPCMessage;
  }

  get inFlight(): number {
    return this.fromHub.size;
  }

  private forget(childId: number): void {
    const hubId = this.fromHub.get(childId);
    this.fromHub.delete(childId);
    this.listens.delete(childId);
    if (hubId !== undefined) this.hubToChild.delete(hubId);
  }
}
