import { describeError } from '../core/base/errors.js';
import type { InletCommand } from '../core/base/version.js';
import { AI_CLIENT_LABELS, clientConfig, mergeServer, needsToken, type AiClient, type ClientPlatform } from '../os/client-configs.js';
import type { HubClient } from './hub-client.js';

/**
 * The tray's "Connect an AI client" (the same configs `inlet connect --write` writes): Claude
 * Desktop, Cursor and VS Code get the "inlet" server merged into their config file, keeping
 * every other server; Claude Code configures itself, so its command goes to the clipboard. The
 * token comes from the admin API, like everything main asks of the hub. Returns the sentence
 * to tell the user, success or not.
 */
export interface ConnectContext {
  hub: HubClient;
  mcpUrl: string;
  inlet: InletCommand;
  writeClipboard: (text: string) => void;
  where?: ClientPlatform;
}

export async function connectClient(client: AiClient, context: ConnectContext): Promise<{ ok: boolean; message: string }> {
  const label = AI_CLIENT_LABELS[client];
  try {
    const token = needsToken(client) ? await context.hub.aiToken(client) : undefined;
    const config = clientConfig(client, { name: client, mcpUrl: context.mcpUrl, token, inlet: context.inlet }, context.where);
    if (config.kind === 'command') {
      context.writeClipboard(config.command);
      return { ok: true, message: `The command that adds Inlet to ${label} is on the clipboard: paste it into a terminal.` };
    }
    const done = await mergeServer(config.path, config.entry, config.key);
    return { ok: true, message: `${done} Inlet in ${config.path}. Restart ${label} to use it.` };
  } catch (error) {
    return { ok: false, message: `${label} was not connected: ${describeError(error)}` };
  }
}
