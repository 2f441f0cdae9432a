import { once } from 'node:events';
import WebSocket from 'ws';
import { WebSocketTransport } from '../app/core/providers/ws-transport.js';
import { createEchoServer } from './echo-server.js';
import { startHub, type RunningHub } from './hub.js';
import { cpuMs } from './procs.js';

/**
 * What one tool-list change costs the hub per open AI client: `sessions` 2025 sessions with
 * their GET streams open, or `sessions` 2026-07-28 `subscriptions/listen` streams, held open by
 * raw HTTP from this process. A provider joins and leaves `cycles` times (each a change); the
 * hub's CPU over those changes with the streams open, minus the same with one stream open,
 * divided by the extra streams and the changes, is the cost per client per change.
 */
export interface ListChangePlan {
  sessions: number;
  cycles: number;
}

export interface ListChangeResults {
  sessions: number;
  changes: number;
  /** Hub CPU µs per change with one stream, and with `sessions` + 1 streams. */
  legacy: { baseUs: number; loadedUs: number; perSessionUs: number };
  modern: { baseUs: number; loadedUs: number; perSessionUs: number };
}

const ENVELOPE = {
  'io.modelcontextprotocol/protocolVersion': '2026-07-28',
  'io.modelcontextprotocol/clientInfo': { name: 'bench-listener', version: '1' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

/** One open stream; `heard` counts the tools/list_changed notifications that arrived on it. */
interface Stream {
  heard: number;
  stop: AbortController;
}

async function hold(response: Response, stream: Stream): Promise<void> {
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      stream.heard += decoder.decode(chunk).split('notifications/tools/list_changed').length - 1;
    }
  } catch {
    // aborted by the bench
  }
}

async function legacyStream(url: string, token: string): Promise<Stream> {
  const base = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
  const init = await fetch(url, {
    method: 'POST',
    headers: base,
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'bench-session', version: '1' } } }),
  });
  await init.text();
  const session = { ...base, 'Mcp-Session-Id': init.headers.get('mcp-session-id') ?? '', 'MCP-Protocol-Version': '2025-11-25' };
  await (await fetch(url, { method: 'POST', headers: session, body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) })).text();
  const stream: Stream = { heard: 0, stop: new AbortController() };
  const response = await fetch(url, { method: 'GET', headers: { ...session, Accept: 'text/event-stream' }, signal: stream.stop.signal });
  if (response.status !== 200) throw new Error(`GET stream answered ${response.status}`);
  void hold(response, stream);
  return stream;
}

async function modernStream(url: string, token: string, id: number): Promise<Stream> {
  const stream: Stream = { heard: 0, stop: new AbortController() };
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'MCP-Protocol-Version': '2026-07-28',
      'Mcp-Method': 'subscriptions/listen',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: `listen:${id}`, method: 'subscriptions/listen', params: { _meta: ENVELOPE, notifications: { toolsListChanged: true } } }),
    signal: stream.stop.signal,
  });
  if (response.status !== 200) throw new Error(`subscriptions/listen answered ${response.status}: ${await response.text()}`);
  void hold(response, stream);
  return stream;
}

/** Joins and leaves as provider `flip`, `cycles` times; resolves when every stream heard every change. */
async function flip(hub: RunningHub, streams: Stream[], cycles: number): Promise<number> {
  const target = (n: number) => streams.every((s) => s.heard >= n);
  const until = async (n: number) => {
    const deadline = Date.now() + 30_000;
    while (!target(n)) {
      if (Date.now() > deadline) throw new Error(`a stream missed a tool-list change (${streams.map((s) => s.heard).join(',')} of ${n})`);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  };
  const start = streams.map((s) => s.heard);
  const before = cpuMs(hub.pid);
  for (let i = 0; i < cycles; i++) {
    const socket = new WebSocket(`${hub.urls.ws}?server_name=flip&token=${encodeURIComponent(hub.mint('provider:flip'))}`, { perMessageDeflate: false });
    await createEchoServer().connect(new WebSocketTransport(socket));
    await until(Math.min(...start) + 2 * i + 1);
    socket.close();
    await once(socket, 'close');
    await until(Math.min(...start) + 2 * i + 2);
  }
  return ((cpuMs(hub.pid) - before) * 1000) / (2 * cycles);
}

export async function runListChange(plan: ListChangePlan, say: (line: string) => void): Promise<ListChangeResults> {
  const hub = await startHub('list-change');
  const opened: Stream[] = [];
  try {
    const token = hub.mint('ai:bench-listener');
    const measure = async (open: (i: number) => Promise<Stream>) => {
      const probe = await open(0);
      opened.push(probe);
      await flip(hub, [probe], 2); // warm-up
      const baseUs = await flip(hub, [probe], plan.cycles);
      const more = [];
      for (let i = 1; i <= plan.sessions; i++) more.push(await open(i));
      opened.push(...more);
      await flip(hub, [probe, ...more], 2);
      const loadedUs = await flip(hub, [probe, ...more], plan.cycles);
      for (const s of [probe, ...more]) s.stop.abort();
      return { baseUs, loadedUs, perSessionUs: (loadedUs - baseUs) / plan.sessions };
    };
    const legacy = await measure(() => legacyStream(hub.urls.mcp, token));
    say(`  2025 sessions: ${legacy.perSessionUs.toFixed(1)} µs per session per change (${plan.sessions} sessions)`);
    const modern = await measure((i) => modernStream(hub.urls.mcp, token, i));
    say(`  2026 listen streams: ${modern.perSessionUs.toFixed(1)} µs per stream per change (${plan.sessions} streams)`);
    return { sessions: plan.sessions, changes: 2 * plan.cycles, legacy, modern };
  } finally {
    for (const s of opened) s.stop.abort();
    await hub.stop();
  }
}
