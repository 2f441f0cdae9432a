/** A 2026-07-28 client as the hub last saw it. */
interface ModernClient {
  caller: string;
  client: string | undefined;
  since: number;
  lastSeen: number;
  /** Requests in flight, `subscriptions/listen` streams included. */
  active: number;
}

const CLIENT_INFO = 'io.modelcontextprotocol/clientInfo';
const RECENT_FLOOR_MS = 60_000;

/**
 * 2026-07-28 clients have no session: each request stands alone. The hub counts a client (its
 * token's caller and the `clientInfo` name its requests carry) as live while it holds a
 * `subscriptions/listen` stream open or has a request in flight, and for `recentMs` after its
 * last request (docs/decisions.md). `inlet status` and the panel list those.
 */
export class ModernClients {
  private readonly clients = new Map<string, ModernClient>();

  /** `onNew` hears of a client the hub had not seen (recently). */
  constructor(private readonly onNew: () => void) {}

  /** Records one request; call the returned function when its answer is complete. */
  begin(caller: string, body: unknown): () => void {
    const message = body as { method?: unknown; params?: { _meta?: Record<string, unknown> } } | null;
    const info = message?.params?._meta?.[CLIENT_INFO] as { name?: unknown } | undefined;
    const name = typeof info?.name === 'string' ? info.name : undefined;
    const key = `${caller}\u0000${name ?? ''}`;
    const now = Date.now();
    let client = this.clients.get(key);
    if (!client && this.clients.size >= 256) this.live(RECENT_FLOOR_MS); // names come from clients: keep the map small
    if (!client) {
      this.clients.set(key, (client = { caller, client: name, since: now, lastSeen: now, active: 0 }));
      this.onNew();
    }
    client.lastSeen = now;
    client.active++;
    const entry = client;
    return () => {
      entry.active--;
      entry.lastSeen = Date.now();
    };
  }

  /** Live clients; forgets the ones quiet for longer than `recentMs`. */
  live(recentMs: number): Array<{ caller: string; client?: string; since: number; protocol: string }> {
    const after = Date.now() - recentMs;
    const out = [];
    for (const [key, c] of this.clients) {
      if (c.active === 0 && c.lastSeen <= after) {
        this.clients.delete(key);
        continue;
      }
      out.push({ caller: c.caller, client: c.client, since: c.since, protocol: '2026-07-28' });
    }
    return out;
  }
}
