import type { PanelState } from '../../app/shared/admin-types.js';
import type { RunningHub } from './hub-process.js';

/**
 * The hub's live `/api/events` stream (what the panel and `inlet approvals watch` read), for
 * tests that wait for the hub to reach a state instead of polling it. Each `state` event is a
 * whole snapshot, in order; a predicate should name what it waits for (an id, an argument), so
 * that an older snapshot cannot satisfy it.
 */
export interface HubEvents {
  /** Resolves with the first truthy `pick(state)`, the latest snapshot included. */
  until<T>(pick: (state: PanelState) => T | undefined | null | false): Promise<T>;
  close(): void;
}

export async function watchHub(hub: RunningHub): Promise<HubEvents> {
  const controller = new AbortController();
  const response = await fetch(`${hub.urls.api}/events`, { headers: { Authorization: `Bearer ${await hub.mint('admin')}` }, signal: controller.signal });
  if (!response.ok || !response.body) throw new Error(`/api/events answered ${response.status}`);
  let latest: PanelState | undefined;
  let ended: Error | undefined;
  const waiters = new Set<() => void>();
  const wakeAll = () => {
    for (const wake of [...waiters]) wake();
  };
  // Read line by line, as the SSE format is defined (independently of the CLI's reader): a
  // blank line ends an event; only `state` events carry a snapshot.
  void (async () => {
    const decoder = new TextDecoder();
    let pending = '';
    let event = { name: 'message', data: [] as string[] };
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      const lines = (pending + decoder.decode(chunk, { stream: true })).split(/\r?\n/);
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('event:')) event.name = line.slice(6).trim();
        else if (line.startsWith('data:')) event.data.push(line.slice(5).replace(/^ /, ''));
        else if (line === '') {
          if (event.name === 'state' && event.data.length > 0) {
            latest = JSON.parse(event.data.join('\n')) as PanelState;
            wakeAll();
          }
          event = { name: 'message', data: [] };
        }
      }
    }
    throw new Error('the hub ended its event stream');
  })().catch((error: Error) => {
    ended = controller.signal.aborted ? new Error('the event stream was closed') : error;
    wakeAll();
  });

  return {
    until<T>(pick: (state: PanelState) => T | undefined | null | false): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const check = () => {
          const picked = latest && pick(latest);
          if (picked) {
            waiters.delete(check);
            resolve(picked);
          } else if (ended) {
            waiters.delete(check);
            reject(ended);
          }
        };
        waiters.add(check);
        check();
      });
    },
    close: () => controller.abort(),
  };
}
