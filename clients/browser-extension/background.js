// The companion's background: a Chromium service worker, or a Firefox MV3 event page (both run
// this module). It asks the native host com.inlet.hub where the hub is and for a token
// (docs/discovery.md), dials the hub's /ws as the provider "browser" (docs/provider-protocol.md), serves the tools in
// tools.js over that socket, and keeps a status for the popup. The wire constants it shares
// with the hub and the host come from wire.js, generated from app/shared by `npm run build`.

import { createMcpSession } from './mcp-server.js';
import { TOOLS } from './tools.js';
import { CALLER_ERROR, CLOSE, FRAME_TYPE, HOST_ERROR, NATIVE_HOST_NAME } from './wire.js';

const api = globalThis.browser ?? globalThis.chrome;

const PROVIDER_NAME = 'browser';
const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 30_000;
/** The host answers as soon as it starts; this bounds a host that hangs. */
const HOST_TIMEOUT_MS = 10_000;
/**
 * Chrome stops an idle service worker after 30 s and Firefox an idle event page; protocol-level
 * WebSocket pings (the hub's heartbeat) are invisible to both. Every 20 s a JSON-RPC ping to the
 * hub (WebSocket traffic, which Chrome 116+ counts) and an extension API call (which Firefox
 * counts) keep the background alive while it is connected.
 */
const KEEPALIVE_MS = 20_000;
/** Wakes a stopped worker (the hub was down for a while) so it tries again; 30 s is the minimum. */
const ALARM = 'inlet-reconnect';

const serverInfo = { name: 'inlet-browser-companion', version: api.runtime.getManifest().version };

let status = { state: 'connecting', title: 'Connecting to Inlet…', detail: '' };
let socket;
let connecting = false;
let retryTimer;
let delay = FIRST_DELAY_MS;
let attempts = 0;
/** Set when another browser took the name over; only the popup's Retry clears it. */
let replaced = false;

function setStatus(next) {
  status = { ...next, tools: TOOLS.length, attempts, at: Date.now() };
  // Only an open popup listens; without one the message has no receiver, which is fine.
  api.runtime.sendMessage({ type: 'inlet.status-changed', status }).catch(() => undefined);
}

/** Asks a fresh host process for the discovery frame (a restarted hub may have a new port). */
function askHost() {
  return new Promise((resolve) => {
    let port;
    let timer;
    let settled = false;
    const finish = (frame) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        port?.disconnect();
      } catch {
        // already gone
      }
      resolve(frame);
    };
    try {
      port = api.runtime.connectNative(NATIVE_HOST_NAME);
    } catch (error) {
      finish(portError(error));
      return;
    }
    port.onMessage.addListener((message) => finish(message));
    // Chromium reports why through runtime.lastError, Firefox through port.error.
    port.onDisconnect.addListener((p) => finish(portError(api.runtime.lastError ?? p?.error)));
    timer = setTimeout(() => finish({ type: FRAME_TYPE.ERROR, code: CALLER_ERROR.HOST_TIMEOUT, message: 'The Inlet native host did not answer.' }), HOST_TIMEOUT_MS);
  });
}

/** Turns a native-messaging failure into a frame; "not found" and "forbidden" mean not paired. */
function portError(error) {
  const message = error?.message ?? 'The Inlet native host exited without answering.';
  const notPaired = /not found|forbidden|No such native application|does not have permission/i.test(message);
  return { type: FRAME_TYPE.ERROR, code: notPaired ? CALLER_ERROR.NOT_PAIRED : HOST_ERROR.HOST_FAILED, message };
}

function statusFor(frame) {
  switch (frame?.code) {
    case CALLER_ERROR.NOT_PAIRED:
      return { state: 'not-paired', title: 'Not paired with Inlet', detail: frame.message };
    case HOST_ERROR.HUB_NOT_RUNNING:
      return { state: 'hub-not-running', title: 'The Inlet hub is not running', detail: frame.message };
    default:
      return { state: 'error', title: 'Inlet refused or failed', detail: `${frame?.code ?? 'UNKNOWN'}: ${frame?.message ?? 'no answer'}` };
  }
}

async function connect() {
  if (connecting || socket || replaced) return;
  connecting = true;
  clearTimeout(retryTimer);
  attempts += 1;
  try {
    const frame = await askHost();
    if (frame?.type === FRAME_TYPE.DISCOVERY && typeof frame.ws === 'string' && typeof frame.token === 'string') {
      open(frame);
    } else {
      setStatus(statusFor(frame));
      retryLater();
    }
  } finally {
    connecting = false;
  }
}

function retryLater() {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => void connect(), delay);
  delay = Math.min(delay * 2, MAX_DELAY_MS);
}

function open(frame) {
  const url = new URL(frame.ws);
  url.searchParams.set('server_name', PROVIDER_NAME);
  url.searchParams.set('token', frame.token);
  const ws = new WebSocket(url.href);
  ws.binaryType = 'arraybuffer';
  socket = ws;
  let opened = false;
  let keepalive;
  let pings = 0;
  const send = (message) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
  };
  const session = createMcpSession({
    tools: TOOLS,
    serverInfo,
    send,
    onReady: () => {
      // Only a connection the hub fully accepted resets the backoff; one it drops at once must not loop fast.
      delay = FIRST_DELAY_MS;
      setStatus({ state: 'connected', title: 'Connected to Inlet', detail: frame.mcp ?? frame.ws, hub: frame.mcp ?? frame.ws, name: frame.name });
    },
  });
  ws.onopen = () => {
    opened = true;
    keepalive = setInterval(() => {
      send({ jsonrpc: '2.0', id: `keepalive-${++pings}`, method: 'ping' });
      void api.runtime.getPlatformInfo();
    }, KEEPALIVE_MS);
  };
  ws.onmessage = (event) => {
    session.receive(typeof event.data === 'string' ? event.data : new TextDecoder().decode(event.data));
  };
  ws.onclose = (event) => {
    clearInterval(keepalive);
    if (socket !== ws) return;
    socket = undefined;
    if (event.code === CLOSE.REPLACED) {
      // Another browser (or profile) now serves "browser"; taking it back in a loop would flap.
      replaced = true;
      setStatus({ state: 'replaced', title: 'Another browser took over', detail: 'Another browser connected to Inlet as "browser". Press Retry to take over again.' });
      return;
    }
    if (event.code === CLOSE.REVOKED) {
      setStatus({ state: 'error', title: 'Inlet revoked this extension', detail: `The token of ${frame.name} was revoked.` });
    } else if (!opened) {
      // Browsers hide the HTTP status of a refused upgrade (401, 403, 409) behind code 1006.
      setStatus({ state: 'error', title: 'The hub refused the connection', detail: `${frame.ws} did not accept this extension (a revoked token, another browser holding "browser", or the hub went away).` });
    } else {
      setStatus({ state: 'hub-not-running', title: 'The Inlet hub went away', detail: `Closed with ${event.code}${event.reason ? ` (${event.reason})` : ''}; reconnecting.` });
    }
    retryLater();
  };
}

/** Popup requests: the current status, or "retry now". */
api.runtime.onMessage.addListener((message, _sender, sendResponse) => {
  if (message?.type === 'inlet.retry' && !socket) {
    replaced = false;
    delay = FIRST_DELAY_MS;
    clearTimeout(retryTimer);
    void connect();
  }
  if (message?.type === 'inlet.status' || message?.type === 'inlet.retry') sendResponse(status);
  return false;
});

// These listeners exist so the browser starts the worker at browser start and after install;
// the connection itself starts below, on every start of the worker.
api.runtime.onStartup.addListener(() => void connect());
api.runtime.onInstalled.addListener(() => void connect());
api.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === ALARM) void connect();
});
api.alarms.create(ALARM, { periodInMinutes: 0.5 });

void connect();
