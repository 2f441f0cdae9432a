import type { HubUrls } from '../core/hub.js';
import { inletShellLine, type InletCommand } from '../core/base/version.js';

/**
 * What `inlet serve` prints once the hub listens: where everything is, and a ready line per AI
 * client. Every command in it runs this installation with the data dir it needs (`inlet` alone
 * would reach the default data dir's hub, or none).
 */
export function serveWelcome(urls: HubUrls, dataDir: string, loginUrl: string, inlet: InletCommand): string {
  const run = inletShellLine(inlet);
  const desktop = { mcpServers: { inlet: { command: inlet.command, args: [...inlet.args, 'stdio', '--name', 'claude-desktop'], ...(inlet.env ? { env: inlet.env } : {}) } } };
  return [
    `Inlet hub running (data dir ${dataDir}).`,
    `  providers dial: ${urls.ws}${urls.remoteWs ? `  and ${urls.remoteWs}` : ''}`,
    `  AI clients use: ${urls.mcp}`,
    `  panel (one-time login link, valid 2 minutes; \`${run} panel\` prints a fresh one):`,
    `    ${loginUrl}`,
    '',
    'Connect an AI client:',
    `  Claude Code:    claude mcp add --transport http inlet ${urls.mcp} --header "Authorization: Bearer $(${run} token create --client ai:claude-code)"`,
    `  Claude Desktop: ${run} connect claude-desktop --write`,
    `                  (or merge into claude_desktop_config.json: ${JSON.stringify(desktop)})`,
    `  Cursor:         ${run} connect cursor --write`,
    `Offer a stdio MCP server as tools: ${run} bridge --name NAME -- COMMAND ARGS...`,
    '',
  ].join('\n');
}
