import { once } from 'node:events';
import WebSocket from 'ws';
import { WebSocketTransport } from '../app/core/providers/ws-transport.js';
import { createEchoServer } from './echo-server.js';
import { startHub, type RunningHub } from './hub.js';
import { cpuMs } from './procs.js';
import { percentile } from './stats.js';

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
  /** Hub CPU µs per change with one stream, and with `sessions` + 1 streams; p50/max of the time until every stream heard it. */
  legacy: Measured;
  modern: Measured;
}

export interface Measured {
  baseUs: number;
  loadedUs: number;
  perSessionUs: number;
  /** With `sessions` + 1 streams: the provider's tools/list answer -> the last stream heard it, ms. */
  join: { p50: number; max: number };
  /** provider close -> the last stream heard it, ms. */
  leave: { p50: number; max: number };
}

function spread(samples: number[]): { p50: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), max: sorted.at(-1) ?? NaN };
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

/** Woken whenever any stream hears a change. */
let wake: (() => void) | undefined;

async function hold(response: Response, stream: Stream): Promise<void> {
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      const heard = decoder.decode(chunk).split('notifications/tools/list_changed').length - 1;
      stream.heard += heard;
      if (heard) wake?.();
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

interface FlipResult {
  /** Hub CPU µs per change. */
  cpuUs: number;
  /** From the provider's tools/list answer (join) or its close (leave) until every stream heard the change, ms. */
  joinMs: number[];
  leaveMs: number[];
}

/** Joins and leaves as provider `flip`, `cycles` times; resolves when every stream heard every change. */
async function flip(hub: RunningHub, streams: Stream[], cycles: number): Promise<FlipResult> {
  const target = (n: number) => streams.every((s) => s.heard >= n);
  const until = async (n: number) => {
    while (!target(n)) {
      const heard = new Promise<boolean>((resolve) => (wake = () => resolve(true)));
      const timer = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 30_000).unref());
      if (!(await Promise.race([heard, timer]))) throw new Error(`a stream missed a tool-list change (${streams.map((s) => s.heard).join(',')} of ${n})`);
    }
  };
  const start = streams.map((s) => s.heard);
  const joinMs: number[] = [];
  const leaveMs: number[] = [];
  const before = cpuMs(hub.pid);
  for (let i = 0; i < cycles; i++) {
    const socket = new WebSocket(`${hub.urls.ws}?server_name=flip&token=${encodeURIComponent(hub.mint('provider:flip'))}`, { perMessageDeflate: false });
    const transport = new WebSocketTransport(socket);
    await createEchoServer().connect(transport);
    // The provider has joined when it has told the hub its tools: time from that answer.
    let t0 = NaN;
    const send = transport.send.bind(transport);
    transport.send = (message) => {
      if (Number.isNaN(t0) && 'result' in message && Array.isArray((message.result as { tools?: unknown }).tools)) t0 = performance.now();
      return send(message);
    };
    await until(Math.min(...start) + 2 * i + 1);
    joinMs.push(performance.now() - t0);
    t0 = performance.now();
    socket.close();
    await until(Math.min(...start) + 2 * i + 2);
    leaveMs.push(performance.now() - t0);
    if (socket.readyState !== WebSocket.CLOSED) await once(socket, 'close');
  }
  return { cpuUs: ((cpuMs(hub.pid) - before) * 1000) / (2 * cycles), joinMs, leaveMs };
}

export async function runListChange(plan: ListChangePlan, say: (line: string) => void): Promise<ListChangeResults> {
  const hub = await startHub('list-change');
  const opened: Stream[] = [];
  try {
    const token = hub.mint('ai:bench-listener');
    const measure = async (open: (i: number) => Promise<Stream>): Promise<Measured> => {
      const probe = await open(0);
      opened.push(probe);
      await flip(hub, [probe], 2); // warm-up
      const base = await flip(hub, [probe], plan.cycles);
      const more = [];
      for (let i = 1; i <= plan.sessions; i++) more.push(await open(i));
      opened.push(...more);
      await flip(hub, [probe, ...more], 2);
      const loaded = await flip(hub, [probe, ...more], plan.cycles);
      for (const s of [probe, ...more]) s.stop.abort();
      return { baseUs: base.cpuUs, loadedUs: loaded.cpuUs, perSessionUs: (loaded.cpuUs - base.cpuUs) / plan.sessions, join: spread(loaded.joinMs), leave: spread(loaded.leaveMs) };
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
