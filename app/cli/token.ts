import { HubError } from '../core/base/errors.js';
import { assertClientId } from '../core/security/tokens.js';
import type { AllowAnswer, ClientRequest, RevokeAnswer } from '../shared/admin-types.js';
import { AdminClient } from './admin-client.js';
import { appliedBy, type AppliedBy } from './applied-by.js';
import { parse } from './args.js';
import { createContext, type CliContext } from './context.js';

export const tokenHelp = `Usage: inlet token create --client ID
       inlet token revoke --client ID
       inlet token allow --client ID

  create   prints a token for the client alone on stdout
  revoke   stops every token of that client from working: the running hub revokes it (and
           disconnects it) at once; with no hub running, config.json is edited directly
  allow    lets a revoked client's tokens work again (the same way)
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
      throw new HubError('TOKEN_REVOKED', `The client ${clientId} was revoked; pick another name, or allow it again with \`inlet token allow --client ${clientId}\`.`);
    }
    process.stdout.write(tokens.mint(clientId) + '\n');
    return 0;
  }
  if (action === 'revoke' || action === 'allow') {
    const revoke = action === 'revoke';
    const { already, where } = await setRevoked(context, clientId, revoke);
    if (already) process.stderr.write(`${clientId} was ${revoke ? 'already revoked' : 'not revoked'}.\n`);
    else process.stderr.write(revoke ? `Revoked ${clientId}: its tokens stop working now.\n` : `Allowed ${clientId} again: its tokens work again.\n`);
    if (!already) process.stderr.write(appliedBy(where));
    return 0;
  }
  throw new HubError('USAGE', `Unknown token action "${action}": use create, revoke or allow.`);
}

/**
 * Through the running hub when there is one (docs/decisions.md, One writer of the hub's state):
 * it changes `tokens.revoked` in one atomic edit and applies it at once (cutting a revoked
 * client off). With none, config.json directly.
 */
async function setRevoked(context: CliContext, clientId: string, revoke: boolean): Promise<{ already: boolean; where: AppliedBy }> {
  const client = await AdminClient.ifRunning(context);
  if (client) {
    const answer = await client.call<RevokeAnswer | AllowAnswer>('POST', `/tokens/${revoke ? 'revoke' : 'allow'}`, { client: clientId } satisfies ClientRequest);
    return { already: answer.already, where: { hub: true, pid: client.hub.pid } };
  }
  let already = false;
  await context.configStore().update((raw, current) => {
    const list = current.tokens.revoked;
    already = list.includes(clientId) === revoke;
    if (already) return raw;
    return { ...raw, tokens: { ...(raw.tokens as object | undefined), revoked: revoke ? [...list, clientId] : list.filter((id) => id !== clientId) } };
  });
  return { already, where: { hub: false, file: context.configPath } };
}
