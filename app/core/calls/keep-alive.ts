/** Where a waiting call stands, for the AI client that is kept informed. */
export interface Waiting {
  /** How long the call has waited so far. */
  waitedMs: number;
  /** How long until the approval window closes. */
  leftMs: number;
}

/**
 * Calls `beat` at once and then every `everyMs` until `waiting` settles, and settles with it.
 * The AI endpoint turns each beat into a progress notification: an AI client that resets its
 * request timeout on progress (Claude Code, the MCP SDK's `resetTimeoutOnProgress`) then keeps
 * waiting for as long as the approval window lasts, not only as long as its own timeout.
 */
export function keepAlive<T>(waiting: Promise<T>, beat: (state: Waiting) => void, windowMs: number, everyMs: number): Promise<T> {
  const started = Date.now();
  const tick = () => {
    const waitedMs = Date.now() - started;
    beat({ waitedMs, leftMs: Math.max(0, windowMs - waitedMs) });
  };
  tick();
  const timer = setInterval(tick, everyMs);
  return waiting.finally(() => clearInterval(timer));
}
