import type { Hub } from '../hub.js';
import { VERSION } from '../base/version.js';
import type { HubStatus } from '../../shared/admin-types.js';

export type { HubStatus, ProviderStatus } from '../../shared/admin-types.js';

/** The snapshot behind `inlet status` and `/api/status`: who is connected, since when, how busy. */
export function buildStatus(hub: Hub, sessions: Array<{ caller: string; client?: string; since: number; protocol?: string }>): HubStatus {
  return {
    version: VERSION,
    pid: process.pid,
    startedAt: hub.startedAt.toISOString(),
    urls: { ...hub.urls },
    providers: hub.registry
      .allProviders()
      .map((p) => ({
        name: p.name,
        client: p.owner,
        kind: p.kind,
        state: p.state,
        remote: p.remoteAddress ?? '',
        since: new Date(p.connectedAt).toISOString(),
        server: p.serverInfo ? `${p.serverInfo.name} ${p.serverInfo.version}` : undefined,
        protocol: p.protocol,
        tools: [...hub.registry.exposedNamesOf(p)],
        calls: p.stats.calls,
        errors: p.stats.errors,
        inFlight: p.stats.inFlight,
        avgMs: p.stats.calls ? Math.round((p.stats.totalMs / p.stats.calls) * 10) / 10 : 0,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    sessions: sessions.map((s) => ({ ...s, since: new Date(s.since).toISOString() })),
    toolCount: hub.registry.size,
  };
}
