import { describeError, HubError } from '../core/base/errors.js';
import { VERSION } from '../core/base/version.js';
import { tolerateClosedOutput } from './closed-output.js';

type Command = { run: () => Promise<(argv: string[]) => Promise<number>>; summary: string };

// Each command's module loads only when it runs: `inlet stdio` is started by AI clients (some
// start it twice, once just to probe it), and what it does not load is start-up time saved.
const COMMANDS: Record<string, Command> = {
  serve: { run: async () => (await import('./serve.js')).serve, summary: 'run the hub headless' },
  status: { run: async () => (await import('./status.js')).status, summary: 'show providers, tools and AI sessions of the running hub' },
  bridge: { run: async () => (await import('./bridge.js')).bridge, summary: 'offer a stdio MCP server\'s tools to the hub' },
  stdio: { run: async () => (await import('./stdio.js')).stdio, summary: 'a stdio MCP server forwarding to the hub (for Claude Desktop)' },
  token: { run: async () => (await import('./token.js')).token, summary: 'create or revoke tokens' },
  approvals: { run: async () => (await import('./approvals.js')).approvals, summary: 'list, approve or deny calls waiting for approval' },
  policy: { run: async () => (await import('./policy.js')).policy, summary: 'show or edit the approval policy and its rules' },
  panel: { run: async () => (await import('./panel.js')).panel, summary: 'print a fresh one-time login URL for the panel' },
  audit: { run: async () => (await import('./panel.js')).audit, summary: 'verify the tamper-evident audit log' },
  connect: { run: async () => (await import('./connect.js')).connect, summary: 'print or write the config that connects Claude Desktop, Claude Code, Cursor or VS Code' },
  doctor: { run: async () => (await import('./doctor.js')).doctor, summary: 'say which secret store is in use and why, and whether a hub runs' },
  manifests: { run: async () => (await import('./manifests.js')).manifests, summary: 'register the native-messaging host with the browsers' },
  service: { run: async () => (await import('./service.js')).service, summary: 'start inlet serve at login (systemd, launchd or a scheduled task)' },
};

const NAME_WIDTH = Math.max(...Object.keys(COMMANDS).map((name) => name.length)) + 2;

export const usage = `Inlet ${VERSION}: an MCP hub the tools connect in to.

Usage: inlet [--data-dir DIR] <command> [options]

${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(NAME_WIDTH)}${c.summary}`)
  .join('\n')}

Every command takes --data-dir DIR, before or after its name (else INLET_HOME, else the per-OS
config dir), and --help. See docs/config.md for the data dir and its files.`;

/**
 * `--data-dir DIR` written before the command name. Commands printed for other programs to run
 * put it there (app/core/base/version.ts, inletCommand), so that `… stdio`, `… token create` or
 * `… bridge --name N -- CMD` can be appended to one prefix. It is handed to the command as its
 * own first option; one given after the command name comes later and wins.
 */
function splitLeadingDataDir(argv: string[]): { leading: string[]; rest: string[] } {
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i]!;
    if (arg.startsWith('--data-dir=')) i += 1;
    else if (arg === '--data-dir') {
      if (i + 1 >= argv.length) throw new HubError('USAGE', 'Option --data-dir needs a directory: inlet --data-dir DIR <command>.');
      i += 2;
    } else break;
  }
  return { leading: argv.slice(0, i), rest: argv.slice(i) };
}

/** Runs the CLI; returns the exit code. Failures print one sentence to stderr. */
export async function main(argv: string[]): Promise<number> {
  tolerateClosedOutput();
  let split: { leading: string[]; rest: string[] };
  try {
    split = splitLeadingDataDir(argv);
  } catch (error) {
    process.stderr.write(`inlet: ${describeError(error)}\n`);
    return 2;
  }
  const [name, ...rest] = split.rest;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    console.log(VERSION);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`inlet: unknown command "${name}"; run inlet --help for the list.\n`);
    return 2;
  }
  try {
    return await (await command.run())([...split.leading, ...rest]);
  } catch (error) {
    process.stderr.write(`inlet ${name}: ${describeError(error)}\n`);
    return error instanceof HubError && error.code === 'USAGE' ? 2 : 1;
  }
}
