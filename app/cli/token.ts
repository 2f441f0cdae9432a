import { ConfigStore } from '../core/config/config-store.js';
import { HubError } from '../core/base/errors.js';
import { assertClientId } from '../core/security/tokens.js';
import { parse } from './args.js';
import { createContext } from './context.js';

export const tokenHelp = `Usage: inlet token create --client ID
       inlet token revoke --client ID

  create   prints a token for the client alone on stdout
  revoke   stops every token of that client from working (the running hub applies it at once)
Client ids: ai:NAME (AI clients), provider:NAME (tools under NAME), ext:ID, addin:NAME, admin.`;

export async function token(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { client: { type: 'string' } }, true);
  const action = positionals[0];
  if (values.help || !action) return (console.log(tokenHelp), values.help ? 0 : 2);
  const context = createContext(values['data-dir']);
  const clientId = values.client;
  if (!clientId) throw new HubError('USAGE', `inlet token ${action} needs --client ID (for example --client ai:claude).`);
  assertClientId(clientId);
  if (action === 'create') {
    const tokens = await context.tokens();
    if (tokens.isRevoked(clientId)) {
      throw new HubError('TOKEN_REVOKED', `The client ${clientId} was revoked; pick another name, or remove it from tokens.revoked in ${context.configPath}.`);
    }
    process.stdout.write(tokens.mint(clientId) + '\n');
    return 0;
  }
  if (action === 'revoke') {
    const loaded = await context.loadConfig();
    const revoked = new Set(loaded.config.tokens.revoked);
    if (revoked.has(clientId)) {
      process.stderr.write(`${clientId} was already revoked.\n`);
      return 0;
    }
    // The same single writer of config.json the hub and `inlet policy` use.
    await new ConfigStore(context.configPath, () => undefined).update((raw, current) => ({
      ...raw,
      tokens: { ...(raw.tokens as object | undefined), revoked: [...current.tokens.revoked, clientId] },
    }));
    process.stderr.write(`Revoked ${clientId}: its tokens stop working now.\n`);
    return 0;
  }
  throw new HubError('USAGE', `Unknown token action "${action}": use create or revoke.`);
}
