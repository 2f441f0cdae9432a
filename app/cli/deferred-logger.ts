import type { Logger } from '../core/base/log.js';

export interface DeferredLogger extends Logger {
  /** Writes what was held back, in order, and from then on writes at once. */
  flush(): void;
}

/**
 * A logger that holds its lines back until flush(). `inlet serve` picks the secret store before
 * the hub starts, and the keychain's "using the 0600 file instead" warning belongs to a hub that
 * runs: a serve that fails (a bad config, a second hub, a port in use) says only why it failed.
 */
export function deferredLogger(target: Logger): DeferredLogger {
  let held: Array<() => void> | undefined = [];
  const wrap = (logger: Logger): Logger => {
    const later = (level: 'error' | 'warn' | 'info' | 'debug') => (message: string, fields?: Record<string, unknown>) => {
      if (held) held.push(() => logger[level](message, fields));
      else logger[level](message, fields);
    };
    return { error: later('error'), warn: later('warn'), info: later('info'), debug: later('debug'), child: (namespace) => wrap(logger.child(namespace)) };
  };
  return Object.assign(wrap(target), {
    flush() {
      const lines = held ?? [];
      held = undefined;
      for (const line of lines) line();
    },
  });
}
