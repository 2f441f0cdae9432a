import { describeError } from '../core/base/errors.js';
import type { Logger } from '../core/base/log.js';
import type { HubProcessUrls } from '../shared/hub-process.js';
import type { HubChild } from './electron-facade.js';
import { parseHubMessage } from './hub-messages.js';

/**
 * Keeps the hub process running (README, Architecture): starts it, learns its URLs from its `ready`
 * message, and when it dies says why and starts it again after a backoff (1 s doubling to 30 s;
 * the count starts over once a hub has stayed up for a while). Quitting stops it cleanly: a
 * `stop` message, then a kill if it has not exited in time.
 */
export type HubLife =
  | { phase: 'starting'; restarts: number }
  | { phase: 'up'; pid: number; urls: HubProcessUrls; restarts: number }
  /** `retryInMs` undefined: no retry is planned (the app is quitting). */
  | { phase: 'down'; reason: string; restarts: number; retryInMs: number | undefined }
  | { phase: 'stopped' };

export interface SupervisorOptions {
  launch: () => HubChild;
  log: Logger;
  firstRetryMs?: number;
  maxRetryMs?: number;
  /** A hub up this long resets the backoff. */
  stableMs?: number;
  /** A hub that has not said `ready` by then is killed and counts as a failed start. */
  startTimeoutMs?: number;
}

export class HubSupervisor {
  private current: HubLife = { phase: 'stopped' };
  private child: HubChild | undefined;
  private failures = 0;
  private restarts = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private stableTimer: NodeJS.Timeout | undefined;
  private startTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  private readonly listeners = new Set<(life: HubLife) => void>();

  constructor(private readonly options: SupervisorOptions) {}

  get life(): HubLife {
    return this.current;
  }

  onChange(listener: (life: HubLife) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.stopping || this.child) return;
    clearTimeout(this.retryTimer);
    this.set({ phase: 'starting', restarts: this.restarts });
    const child = this.options.launch();
    this.child = child;
    let failure: string | undefined;
    const stderrTail: string[] = [];
    child.stderr?.on('data', (chunk: Buffer | string) => {
      const text = chunk.toString();
      process.stderr.write(text);
      stderrTail.push(...text.split('\n').filter((line) => line.trim()));
      stderrTail.splice(0, Math.max(0, stderrTail.length - 5));
    });
    this.startTimer = setTimeout(() => {
      failure = `The hub did not start within ${Math.round(this.startTimeoutMs / 1000)} s.`;
      child.kill();
    }, this.startTimeoutMs);
    child.onMessage((raw) => {
      const message = parseHubMessage(raw);
      if (!message) return this.options.log.warn('the hub process sent a message main does not understand; ignored');
      if (message.type === 'failed') {
        failure = message.message;
        return;
      }
      clearTimeout(this.startTimer);
      this.set({ phase: 'up', pid: message.pid, urls: message.urls, restarts: this.restarts });
      this.stableTimer = setTimeout(() => (this.failures = 0), this.options.stableMs ?? 30_000);
    });
    child.onExit((code) => {
      clearTimeout(this.startTimer);
      clearTimeout(this.stableTimer);
      this.child = undefined;
      if (this.stopping) return this.set({ phase: 'stopped' });
      const last = stderrTail.at(-1);
      const reason = failure ?? `The hub process exited unexpectedly (${code === null ? 'killed' : `exit code ${code}`})${last ? `: ${last.slice(0, 200)}` : ''}.`;
      this.scheduleRestart(reason);
    });
  }

  /** "Restart the hub now" from the tray, while it is down. */
  restartNow(): void {
    if (this.current.phase !== 'down' || this.stopping) return;
    this.restarts++;
    this.start();
  }

  /** Stops the hub cleanly (`stop`, then a kill after `timeoutMs`); no restart follows. */
  stop(timeoutMs = 10_000): Promise<void> {
    this.stopping ??= (async () => {
      clearTimeout(this.retryTimer);
      const child = this.child;
      if (!child) return this.set({ phase: 'stopped' });
      const exited = new Promise<void>((resolve) => child.onExit(() => resolve()));
      try {
        child.postMessage({ type: 'stop' });
      } catch (error) {
        this.options.log.warn('the hub process could not be asked to stop; killing it', { error: describeError(error) });
        child.kill();
      }
      const timer = setTimeout(() => {
        this.options.log.warn(`the hub did not stop within ${timeoutMs} ms; killing it`);
        child.kill();
      }, timeoutMs);
      await exited;
      clearTimeout(timer);
    })();
    return this.stopping;
  }

  private get startTimeoutMs(): number {
    return this.options.startTimeoutMs ?? 60_000;
  }

  private scheduleRestart(reason: string): void {
    this.failures++;
    const first = this.options.firstRetryMs ?? 1_000;
    const delay = Math.min(first * 2 ** (this.failures - 1), this.options.maxRetryMs ?? 30_000);
    this.options.log.warn('hub process down; restarting', { reason, inMs: delay });
    this.set({ phase: 'down', reason, restarts: this.restarts, retryInMs: delay });
    this.retryTimer = setTimeout(() => {
      this.restarts++;
      this.start();
    }, delay);
  }

  private set(life: HubLife): void {
    this.current = life;
    for (const listener of this.listeners) listener(life);
  }
}
