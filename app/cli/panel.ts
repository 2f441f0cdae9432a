import { verifyAudit } from '../core/calls/audit-log.js';
import { HubError } from '../core/base/errors.js';
import { AdminClient } from './admin-client.js';
import { parse } from './args.js';
import { createContext } from './context.js';

export const panelHelp = `Usage: inlet panel [--data-dir DIR]

Prints a fresh one-time login URL for the running hub's panel (valid 2 minutes, works once).`;

export async function panel(argv: string[]): Promise<number> {
  const { values } = parse(argv, {});
  if (values.help) return (console.log(panelHelp), 0);
  const client = await AdminClient.connect(createContext(values['data-dir']));
  const { data } = await client.request<{ url: string }>('POST', '/login-code');
  process.stdout.write(data.url + '\n');
  return 0;
}

export const auditHelp = `Usage: inlet audit verify [--data-dir DIR]

Checks the hash chain of audit.jsonl (and its rotated files) and reports the first broken line.`;

export async function audit(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {}, true);
  if (values.help || positionals[0] !== 'verify') {
    if (!values.help && positionals[0]) throw new HubError('USAGE', `Unknown audit action "${positionals[0]}": use verify.`);
    return (console.log(auditHelp), values.help ? 0 : 2);
  }
  const context = createContext(values['data-dir']);
  const result = verifyAudit(context.dataDir);
  if (result.ok) {
    process.stdout.write(`The audit log is intact: ${result.lines} line(s) in ${result.files.length} file(s).\n`);
    return 0;
  }
  const b = result.broken!;
  process.stdout.write(`The audit log is broken at ${b.file} line ${b.line}: ${b.reason}.\n`);
  return 1;
}
