/**
 * A namespaced logger writing one line per event to stderr (stdout belongs to protocols:
 * `inlet stdio` speaks MCP there). Levels come from INLET_LOG (error|warn|info|debug, default
 * info). Anything that looks like an Inlet token is masked before it is written, so a token
 * passed into a message by mistake never reaches a log.
 */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

const ORDER: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
  child(namespace: string): Logger;
}

export type LogSink = (line: string) => void;

let threshold: number = ORDER[parseLevel(process.env.INLET_LOG)];
let sink: LogSink = (line) => process.stderr.write(line + '\n');

function parseLevel(value: string | undefined): LogLevel {
  return value === 'error' || value === 'warn' || value === 'debug' || value === 'info' ? value : 'info';
}

export function setLogLevel(level: LogLevel): void {
  threshold = ORDER[level];
}

/** Redirects every logger (tests capture lines with this). Returns the previous sink. */
export function setLogSink(next: LogSink): LogSink {
  const previous = sink;
  sink = next;
  return previous;
}

const TOKEN_PATTERN = /inlet1\.[^\s."']+(?:\.[^\s."']+)*\.[A-Za-z0-9_-]{20,}/g;

/** Masks Inlet tokens: keeps the client id, drops the MAC. */
export function redact(text: string): string {
  return text.replace(TOKEN_PATTERN, (token) => token.slice(0, token.lastIndexOf('.') + 1) + '…');
}

function format(level: LogLevel, namespace: string, message: string, fields?: Record<string, unknown>): string {
  let line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${namespace}] ${message}`;
  if (fields) {
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      line += ` ${key}=${typeof value === 'string' ? JSON.stringify(value) : safeJson(value)}`;
    }
  }
  return redact(line);
}

function safeJson(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export function createLogger(namespace: string): Logger {
  const write = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] <= threshold) sink(format(level, namespace, message, fields));
  };
  return {
    error: write('error'),
    warn: write('warn'),
    info: write('info'),
    debug: write('debug'),
    child: (sub) => createLogger(`${namespace}:${sub}`),
  };
}
