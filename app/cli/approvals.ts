import { HubError } from '../core/base/errors.js';
import type { DecisionAnswer, DecisionRequest, Pending } from '../shared/admin-types.js';
import { AdminClient } from './admin-client.js';
import { parse } from './args.js';
import { createContext } from './context.js';

export const approvalsHelp = `Usage: inlet approvals list|watch [--json]
       inlet approvals approve|deny ID [--always] [--reason TEXT]

Answers calls that wait for approval, from the shell (the panel does the same).
  list      the calls waiting now
  watch     print each call as it starts waiting (Ctrl-C stops)
  approve   let the call through; --always adds an allow rule for that tool
  deny      refuse the call; --always adds a deny rule for that tool
An ID prefix is enough when it is unique.`;

export async function approvals(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean' }, always: { type: 'boolean' }, reason: { type: 'string' } }, true);
  const [action, id] = positionals;
  if (values.help || !action) return (console.log(approvalsHelp), values.help ? 0 : 2);
  const client = await AdminClient.connect(createContext(values['data-dir']));
  if (action === 'list') {
    const data = await client.call<Pending[]>('GET', '/approvals');
    if (values.json) process.stdout.write(JSON.stringify(data, null, 2) + '\n');
    else if (data.length === 0) process.stdout.write('No call is waiting for approval.\n');
    else for (const p of data) process.stdout.write(formatPending(p));
    return 0;
  }
  if (action === 'watch') {
    const seen = new Set<string>();
    const controller = new AbortController();
    process.once('SIGINT', () => controller.abort());
    process.once('SIGTERM', () => controller.abort());
    process.stderr.write('Watching for calls that need approval (Ctrl-C stops)…\n');
    await client.watch((state) => {
      for (const p of (state.pending as Pending[]) ?? []) {
        if (seen.has(p.id)) continue;
        seen.add(p.id);
        process.stdout.write(values.json ? JSON.stringify(p) + '\n' : formatPending(p));
      }
    }, controller.signal);
    return 0;
  }
  if (action === 'approve' || action === 'deny') {
    if (!id) throw new HubError('USAGE', `inlet approvals ${action} needs the request id (see inlet approvals list).`);
    // The hub resolves an id prefix (among waiting and recently ended requests), as for the panel.
    const body: DecisionRequest = { always: values.always, reason: values.reason };
    const data = await client.call<DecisionAnswer>('POST', `/approvals/${encodeURIComponent(id)}/${action}`, body);
    process.stdout.write(`${action === 'approve' ? 'Approved' : 'Denied'} ${data.id}.\n`);
    return 0;
  }
  throw new HubError('USAGE', `Unknown approvals action "${action}": use list, watch, approve or deny.`);
}

function formatPending(p: Pending): string {
  const left = Math.max(0, Math.round((p.expiresAt - Date.now()) / 1000));
  return `${p.id}  ${p.caller} wants ${p.provider}/${p.tool}  (${left} s left)\n    arguments: ${JSON.stringify(p.arguments).slice(0, 500)}\n${p.reason ? `    reason: ${p.reason}\n` : ''}`;
}
