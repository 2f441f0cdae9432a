import { spawn } from 'node:child_process';

export interface CommandRun {
  /** The exit code, or null when a signal ended the process. */
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to its end and collects its output, without blocking this process: tests host
 * providers and clients the hub pings, and spawnSync would stall them for as long as the command
 * takes on a loaded machine. No time limit: a command that hangs is the runner's hang guard's.
 */
export function runCommand(command: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}
