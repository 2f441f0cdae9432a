import type { PanelState } from '../../app/shared/admin-types.js';
import type { RunningHub } from './hub-process.js';

/**
 * The panel's event stream (`/api/events`), read as the panel reads it: `until(predicate)`
 * resolves with the first state pushed (from now on, or the one already received) for which
 * the predicate holds. Awaiting the hub's own events instead of polling on a clock.
 */
export async function adminEvents(hub: RunningHub): Promise<{ until: (predicate: (state: PanelState) => boolean) => Promise<PanelState>; close: () => void }> {
  const controller = new AbortController();
  const response = await fetch(`${hub.urls.api}/events`, { headers: { Authorization: `Bearer ${await hub.mint('admin')}` }, signal: controller.signal });
  if (response.status !== 200 || !response.body) throw new Error(`/api/events answered ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let latest: PanelState | undefined;
  const next = async (): Promise<PanelState> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end !== -1) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = /^data: (.*)$/m.exec(event)?.[1];
        if (data) return (latest = JSON.parse(data) as PanelState);
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('the event stream ended');
      buffer += value;
    }
  };
  return {
    async until(predicate) {
      if (latest && predicate(latest)) return latest;
      for (;;) {
        const state = await next();
        if (predicate(state)) return state;
      }
    },
    close: () => controller.abort(),
  };
}
