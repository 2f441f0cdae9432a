import type { Hub } from '../hub.js';
import { VERSION } from '../base/version.js';
import type { HubStatus, LiveSession } from '../../shared/admin-types.js';

export type { HubStatus, ProviderStatus } from '../../shared/admin-types.js';

/** The snapshot behind `inlet status` and `/api/status`: who is connected, what it offers, since when, how busy. */
export function buildStatus(hub: Hub, sessions: LiveSession[]): HubStatus {
  // The built-in providers are part of the hub, not something that connected to it.
  const providers = hub.catalog
    .allProviders()
    .filter((p) => p.kind !== 'builtin')
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    version: VERSION,
    pid: process.pid,
    startedAt: hub.startedAt.toISOString(),
    urls: { ...hub.urls },
    providers: providers.map((p) => ({
      name: p.name,
      kind: p.kind,
      client: p.owner,
      state: p.state,
      remote: p.remoteAddress ?? '',
      since: new Date(p.connectedAt).toISOString(),
      server: p.serverInfo ? `${p.serverInfo.name} ${p.serverInfo.version}` : undefined,
      protocol: p.protocol,
      tools: [...hub.catalog.tools.namesOf(p)],
      resources: p.resources.length,
      resourceTemplates: p.resourceTemplates.length,
      prompts: p.prompts.length,
      calls: p.stats.calls,
      errors: p.stats.errors,
      inFlight: p.stats.inFlight,
      avgMs: p.stats.calls ? Math.round((p.stats.totalMs / p.stats.calls) * 10) / 10 : 0,
      ...(p.logs && p.logs.length > 0 ? { logs: [...p.logs] } : {}),
    })),
    sessions: sessions.map((s) => ({ ...s, since: new Date(s.since).toISOString() })),
    toolCount: providers.reduce((sum, p) => sum + hub.catalog.tools.namesOf(p).length, 0),
  };
}
