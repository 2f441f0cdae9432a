import { once } from 'node:events';
import type { RunningHub } from './hub-process.js';
import { rawRequest } from './raw-http.js';

/** Waits until the hub's stderr holds a line matching `pattern` (its log reaches us a little after its answers). */
export async function waitForLog(hub: RunningHub, pattern: RegExp): Promise<void> {
  while (!pattern.test(hub.stderr())) await once(hub.process.stderr!, 'data');
}

/**
 * Everything the hub logged so far: makes it log a marker (a refused Host, a warning) and waits
 * for it, so every line written before it has arrived too (stderr keeps its order).
 */
export async function settledLog(hub: RunningHub): Promise<string> {
  const marker = `marker-${Math.random().toString(36).slice(2)}.invalid`;
  await rawRequest(hub.urls.healthz.replace(/\/healthz$/, '/mcp'), { method: 'POST', headers: { Host: marker } });
  await waitForLog(hub, new RegExp(marker.replace(/[.]/g, '\\.')));
  return hub.stderr();
}
