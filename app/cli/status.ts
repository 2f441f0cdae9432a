import { HubError } from '../core/base/errors.js';
import type { HubStatus } from '../shared/admin-types.js';
import { AdminClient } from './admin-client.js';
import { parse } from './args.js';
import { createContext } from './context.js';
import { commandLine } from '../shared/command-line.js';

export const statusHelp = `Usage: inlet status [--json] [--data-dir DIR]

Shows the running hub: providers (kind, MCP revision, what they offer), their tools, since when, calls and errors, and AI sessions.`;

/** "3 tools, 7 resources (2 templates), 1 prompt". */
function offers(p: { tools: string[]; resources?: number; resourceTemplates?: number; prompts?: number }): string {
  const count = (n: number, one: string) => `${n} ${n === 1 ? one : `${one}s`}`;
  const templates = p.resourceTemplates ? ` (${count(p.resourceTemplates, 'template')})` : '';
  return `${count(p.tools.length, 'tool')}, ${count(p.resources ?? 0, 'resource')}${templates}, ${count(p.prompts ?? 0, 'prompt')}`;
}

export async function status(argv: string[]): Promise<number> {
  const { values } = parse(argv, { json: { type: 'boolean' } });
  if (values.help) return (console.log(statusHelp), 0);
  const context = createContext(values['data-dir']);
  const client = await AdminClient.connect(context);
  const { status: code, data: snapshot } = await client.request<HubStatus>('GET', '/status');
  if (code !== 200) throw new HubError('HUB_UNREACHABLE', `The hub answered ${code} to the status request.`);
  if (values.json) {
    process.stdout.write(JSON.stringify(snapshot, null, 2) + '\n');
    return 0;
  }
  process.stdout.write(formatStatus(snapshot, Date.now(), commandLine(context.inlet.command, context.inlet.args)));
  return 0;
}

/** `inlet` is how to run the command so that it reaches this hub (CliContext.inlet). */
export function formatStatus(s: HubStatus, now = Date.now(), inlet = 'inlet'): string {
  const lines = [
    `Inlet ${s.version} (pid ${s.pid}), up ${ago(s.startedAt, now)}`,
    `  AI clients: ${s.urls.mcp}    providers: ${s.urls.ws}${s.urls.remoteWs ? `, ${s.urls.remoteWs}` : ''}`,
    '',
  ];
  if (s.providers.length === 0) {
    lines.push(`No provider connected yet. Connect one with: ${inlet} bridge --name NAME -- COMMAND ARGS...`);
  } else {
    lines.push(`${s.providers.length} provider(s), ${s.toolCount} tool(s):`);
    for (const p of s.providers) {
      lines.push(
        `  ${p.name}  [${p.state}]  ${p.kind ?? 'socket'}${p.protocol ? `  MCP ${p.protocol}` : ''}  ${offers(p)}  since ${ago(p.since, now)} ago  ${p.calls} call(s), ${p.errors} error(s)${p.calls ? `, avg ${p.avgMs} ms` : ''}  (${p.client}${p.remote ? ` from ${p.remote}` : ''})`,
      );
      for (const tool of p.tools) lines.push(`      ${tool}`);
    }
  }
  lines.push('', s.sessions.length ? `${s.sessions.length} AI client(s):` : 'No AI client connected.');
  for (const session of s.sessions) {
    const protocol = session.protocol ? `  MCP ${session.protocol}` : '';
    lines.push(`  ${session.caller}${session.client ? ` (${session.client})` : ''}${protocol}  since ${ago(session.since, now)} ago`);
  }
  return lines.join('\n') + '\n';
}

function ago(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${seconds % 60}s`;
  return `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`;
}
