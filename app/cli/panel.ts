import { verifyAudit, type VerifyResult } from '../core/calls/audit-log.js';
import { isProcessAlive, readHubFile } from '../core/discovery/hub-file.js';
import { HubError } from '../core/base/errors.js';
import type { LoginCodeAnswer } from '../shared/admin-types.js';
import { AdminClient } from './admin-client.js';
import { parse } from './args.js';
import { createContext } from './context.js';

export const panelHelp = `Usage: inlet panel [--data-dir DIR]

Prints a fresh one-time login URL for the running hub's panel (valid 2 minutes, works once).`;

export async function panel(argv: string[]): Promise<number> {
  const { values } = parse(argv, {});
  if (values.help) return (console.log(panelHelp), 0);
  const client = await AdminClient.connect(createContext(values['data-dir']));
  const { url } = await client.call<LoginCodeAnswer>('POST', '/login-code');
  process.stdout.write(url + '\n');
  return 0;
}

export const auditHelp = `Usage: inlet audit verify [--data-dir DIR]

Checks the hash chain of audit.jsonl (and its rotated files) and reports the first broken line.
Also lists the fragments of lines a crash cut short (set aside at the next hub start) and the
calls that started and never finished (the hub stopped while they ran).`;

export async function audit(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {}, true);
  if (values.help || positionals[0] !== 'verify') {
    if (!values.help && positionals[0]) throw new HubError('USAGE', `Unknown audit action "${positionals[0]}": use verify.`);
    return (console.log(auditHelp), values.help ? 0 : 2);
  }
  const context = createContext(values['data-dir']);
  const result = verifyAudit(context.dataDir);
  const hub = await readHubFile(context.dataDir).catch(() => null);
  process.stdout.write(formatVerify(result, hub && isProcessAlive(hub.pid) ? hub.pid : undefined));
  return result.ok ? 0 : 1;
}

export function formatVerify(result: VerifyResult, runningPid?: number): string {
  const b = result.broken;
  let out = b ? `The audit log is broken at ${b.file} line ${b.line}: ${b.reason}.\n` : `The audit log is intact: ${result.lines} line(s) in ${result.files.length} file(s).\n`;
  if (result.setAside.length > 0) {
    out += `${result.setAside.length} fragment(s) of a line a crash cut short, set aside at a hub start (not part of the chain):\n`;
    for (const f of result.setAside) out += `  ${f.file}  ${f.bytes} byte(s), ${f.recorded ? 'recorded in the log' : 'with no torn-tail line in the log naming this content'}\n`;
  }
  if (result.unfinished.length > 0) {
    const still = runningPid ? `; the hub running now (pid ${runningPid}) may still be running some of them` : '';
    out += `${result.unfinished.length} call(s) started and never finished (the hub stopped while they ran${still}):\n`;
    for (const c of result.unfinished) {
      out += `  ${c.time}  ${c.caller}  ${c.provider}/${c.tool}  call ${c.call_id}${c.decision === 'ask' ? '  (was waiting for approval)' : ''}\n`;
    }
  }
  return out;
}
