import { HubError } from '../core/base/errors.js';
import { ConfigStore } from '../core/config/config-store.js';
import { describeRule, PolicySchema, type ApprovalSettings, type Rule } from '../core/calls/policy.js';
import { AdminClient } from './admin-client.js';
import { parse } from './args.js';
import { createContext, type CliContext } from './context.js';

export const policyHelp = `Usage: inlet policy                                   show the policy and its rules
       inlet policy default allow|ask|deny
       inlet policy add [--provider P] [--tool T] [--caller C] allow|ask|deny
       inlet policy remove N                          (N as numbered by \`inlet policy\`)
       inlet policy pause | resume                    deny every new call / lift that
       inlet policy timeout SECONDS                   how long a call waits for approval

Edits the approval rules in config.json; a running hub applies them at once.
The most specific matching rule wins (caller, then tool, then provider, then the default).`;

export async function policy(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { provider: { type: 'string' }, tool: { type: 'string' }, caller: { type: 'string' } }, true);
  if (values.help) return (console.log(policyHelp), 0);
  const [action, arg] = positionals;
  const context = createContext(values['data-dir']);
  const edit = await editor(context);
  if (!action || action === 'show') return (process.stdout.write(formatPolicy(await edit.current())), 0);
  let next: ApprovalSettings;
  if (action === 'default') next = await edit.put({ default: policyArg(arg) });
  else if (action === 'pause' || action === 'resume') next = await edit.put({ paused: action === 'pause' });
  else if (action === 'timeout') {
    const seconds = Number(arg);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new HubError('USAGE', `inlet policy timeout needs a number of seconds above 0, not "${arg ?? ''}".`);
    next = await edit.put({ timeout_s: seconds });
  } else if (action === 'add') {
    const rule: Rule = { policy: policyArg(arg) };
    if (values.provider) rule.provider = values.provider;
    if (values.tool) rule.tool = values.tool;
    if (values.caller) rule.caller = values.caller;
    const current = await edit.current();
    next = await edit.put({ rules: [...current.rules, rule] });
  } else if (action === 'remove') {
    const current = await edit.current();
    const index = Number(arg) - 1;
    if (!Number.isInteger(index) || index < 0 || index >= current.rules.length) {
      throw new HubError('USAGE', `There is no rule ${arg ?? ''}; \`inlet policy\` lists ${current.rules.length} rule(s).`);
    }
    next = await edit.put({ rules: current.rules.filter((_, i) => i !== index) });
  } else {
    throw new HubError('USAGE', `Unknown policy action "${action}": see inlet policy --help.`);
  }
  process.stdout.write(formatPolicy(next));
  return 0;
}

function policyArg(value: string | undefined) {
  const parsed = PolicySchema.safeParse(value);
  if (!parsed.success) throw new HubError('USAGE', `The policy must be allow, ask or deny, not "${value ?? ''}".`);
  return parsed.data;
}

/** Through the running hub's admin API when there is one (it applies at once), else the file. */
async function editor(context: CliContext): Promise<{ current(): Promise<ApprovalSettings>; put(change: Partial<ApprovalSettings>): Promise<ApprovalSettings> }> {
  const client = await AdminClient.connect(context).catch(() => undefined);
  if (client) {
    return {
      current: async () => (await client.request<ApprovalSettings>('GET', '/policy')).data,
      put: async (change) => {
        const { status, data } = await client.request<ApprovalSettings & { error?: string }>('PUT', '/policy', change);
        if (status !== 200) throw new HubError('USAGE', data.error ?? `The hub answered ${status}.`);
        return data;
      },
    };
  }
  const store = new ConfigStore(context.configPath, () => undefined);
  return {
    current: async () => (await context.loadConfig()).config.approvals,
    put: async (change) => (await store.updateApprovals((a) => ({ ...a, ...change }))).approvals,
  };
}

export function formatPolicy(a: ApprovalSettings): string {
  const lines = [
    `default: ${a.default}    timeout: ${a.timeout_s} s    read-only tools: ${a.allow_read_only ? 'allowed' : 'follow the rules'}${a.paused ? '    PAUSED: every new call is denied' : ''}`,
    a.rules.length ? 'rules (the most specific match wins):' : 'no rules: every call follows the default.',
    ...a.rules.map((rule, i) => `  ${i + 1}. ${describeRule(rule)}`),
  ];
  return lines.join('\n') + '\n';
}
