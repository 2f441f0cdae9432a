import { join } from 'node:path';
import { BENCH_DIST, childEnv, sleep, spawnNode, stopChild, trackPid, type Child } from './procs.js';
import type { RawRun } from './stats.js';

/** An AI client process (bench/ai-client.ts) the bench drives: one stock SDK client. */
export interface Runner {
  child: Child;
  pid: number;
  /** The stdio server the client spawned (`inlet stdio`, the stdio echo), if any. */
  serverPid: number | null;
  protocol: string | undefined;
  run(callers: number, each: number): Promise<RawRun>;
  tools(): Promise<string[]>;
  close(): Promise<void>;
}

export interface RunnerOptions {
  label: string;
  sdk: 'v1' | 'v2';
  tool: string;
  http?: string;
  token?: string;
  /** A Node script and its arguments, spawned by the client over stdio. */
  stdio?: string[];
  ws?: string;
  env?: Record<string, string>;
}

export async function startRunner(options: RunnerOptions): Promise<Runner> {
  const args = [join(BENCH_DIST, 'ai-client.js'), '--sdk', options.sdk, '--tool', options.tool];
  if (options.http) args.push('--http', options.http);
  if (options.token) args.push('--token', options.token);
  if (options.stdio) args.push('--stdio', [process.execPath, ...options.stdio].join(' '));
  if (options.ws) args.push('--ws', options.ws);
  const child = spawnNode(args, { label: options.label, env: childEnv(options.env) });
  const replies: Array<(line: string) => void> = [];
  let partial = '';
  child.proc.stdout!.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) replies.shift()?.(line);
  });
  const ask = <T>(command: Record<string, unknown>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const onExit = () => reject(new Error(`${options.label} exited\n  ${child.tail()}`));
      child.proc.once('exit', onExit);
      replies.push((line) => {
        child.proc.off('exit', onExit);
        const reply = JSON.parse(line) as T & { error?: string };
        if (reply.error) reject(new Error(`${options.label}: ${reply.error}`));
        else resolve(reply);
      });
      child.proc.stdin!.write(JSON.stringify(command) + '\n');
    });
  const ready = new Promise<{ protocol?: string; serverPid: number | null }>((resolve) => replies.push((line) => resolve(JSON.parse(line))));
  await child.waitFor(/"ready":true/, 60_000);
  const hello = await ready;
  trackPid(hello.serverPid);
  return {
    child,
    pid: child.proc.pid!,
    serverPid: hello.serverPid,
    protocol: hello.protocol,
    run: (callers, each) => ask<RawRun>({ op: 'run', callers, each }),
    tools: async () => (await ask<{ tools: string[] }>({ op: 'tools' })).tools,
    close: async () => {
      child.proc.stdin!.end();
      await stopChild(child.proc, 5_000);
    },
  };
}

/** Waits until the client lists `tool` (the hub lists a provider once it answered tools/list). */
export async function waitForRunnerTool(runner: Runner, tool: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await runner.tools()).includes(tool)) {
    if (Date.now() > deadline) throw new Error(`${tool} did not appear in tools/list within ${timeoutMs} ms`);
    await sleep(20);
  }
}
