import { describeError, HubError } from '../core/base/errors.js';
import { VERSION } from '../core/base/version.js';
import { bridge, bridgeHelp } from './bridge.js';
import { serve, serveHelp } from './serve.js';
import { status, statusHelp } from './status.js';
import { stdio, stdioHelp } from './stdio.js';
import { token, tokenHelp } from './token.js';
import { manifests, manifestsHelp } from './manifests.js';
import { doctor, doctorHelp } from './doctor.js';
import { connect, connectHelp } from './connect.js';
import { policy, policyHelp } from './policy.js';
import { approvals, approvalsHelp } from './approvals.js';
import { audit, auditHelp, panel, panelHelp } from './panel.js';
import { tolerateClosedOutput } from './closed-output.js';
import { service, serviceHelp } from './service.js';

type Command = { run: (argv: string[]) => Promise<number>; help: string; summary: string };

const COMMANDS: Record<string, Command> = {
  serve: { run: serve, help: serveHelp, summary: 'run the hub headless' },
  status: { run: status, help: statusHelp, summary: 'show providers, tools and AI sessions of the running hub' },
  bridge: { run: bridge, help: bridgeHelp, summary: 'offer a stdio MCP server\'s tools to the hub' },
  stdio: { run: stdio, help: stdioHelp, summary: 'a stdio MCP server forwarding to the hub (for Claude Desktop)' },
  token: { run: token, help: tokenHelp, summary: 'create or revoke tokens' },
  approvals: { run: approvals, help: approvalsHelp, summary: 'list, approve or deny calls waiting for approval' },
  policy: { run: policy, help: policyHelp, summary: 'show or edit the approval policy and its rules' },
  panel: { run: panel, help: panelHelp, summary: 'print a fresh one-time login URL for the panel' },
  audit: { run: audit, help: auditHelp, summary: 'verify the tamper-evident audit log' },
  connect: { run: connect, help: connectHelp, summary: 'print or write the config that connects Claude Desktop, Claude Code, Cursor or VS Code' },
  doctor: { run: doctor, help: doctorHelp, summary: 'say which secret store is in use and why, and whether a hub runs' },
  manifests: { run: manifests, help: manifestsHelp, summary: 'register the native-messaging host with the browsers' },
  service: { run: service, help: serviceHelp, summary: 'start inlet serve at login (systemd, launchd or a scheduled task)' },
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
    return await command.run([...split.leading, ...rest]);
  } catch (error) {
    process.stderr.write(`inlet ${name}: ${describeError(error)}\n`);
    return error instanceof HubError && error.code === 'USAGE' ? 2 : 1;
  }
}
