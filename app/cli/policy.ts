import { HubError } from '../core/base/errors.js';
import { describeRule, PolicySchema } from '../core/calls/policy.js';
import type { ApprovalSettings, Rule } from '../shared/admin-types.js';
import { appliedBy } from './applied-by.js';
import { parse } from './args.js';
import { createContext } from './context.js';
import { policyWriter, type PolicyWriter } from './policy-writer.js';

export const policyHelp = `Usage: inlet policy                                   show the policy and its rules
       inlet policy default allow|ask|deny
       inlet policy add [--provider P] [--tool T] [--caller C] allow|ask|deny
       inlet policy remove N                          (N as numbered by \`inlet policy\` now)
       inlet policy remove [--provider P] [--tool T] [--caller C] allow|ask|deny   that rule
       inlet policy pause | resume                    deny every new call / lift that
       inlet policy timeout SECONDS                   how long a call waits for approval

A running hub makes the change itself and applies it at once (so a change made in the panel at
the same moment is kept too); with no hub running, config.json is edited directly.
The most specific matching rule wins (caller, then tool, then provider, then the default).`;

export async function policy(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { provider: { type: 'string' }, tool: { type: 'string' }, caller: { type: 'string' } }, true);
  if (values.help) return (console.log(policyHelp), 0);
  const [action, arg] = positionals;
  const context = createContext(values['data-dir']);
  const writer = await policyWriter(context);
  if (!action || action === 'show') return (process.stdout.write(formatPolicy(await writer.current())), 0);
  let next: ApprovalSettings;
  if (action === 'default') next = await writer.set({ default: policyArg(arg) });
  else if (action === 'pause' || action === 'resume') next = await writer.set({ paused: action === 'pause' });
  else if (action === 'timeout') {
    const seconds = Number(arg);
    if (!Number.isFinite(seconds) || seconds <= 0) throw new HubError('USAGE', `inlet policy timeout needs a number of seconds above 0, not "${arg ?? ''}".`);
    next = await writer.set({ timeout_s: seconds });
  } else if (action === 'add') {
    next = await writer.addRule(ruleArg(arg, values));
  } else if (action === 'remove') {
    if (!arg) throw new HubError('USAGE', 'inlet policy remove needs a rule number (as `inlet policy` lists them) or the rule itself: [--provider P] [--tool T] [--caller C] allow|ask|deny.');
    next = await writer.removeRule(/^\d+$/.test(arg ?? '') ? await numberedRule(writer, Number(arg)) : ruleArg(arg, values));
  } else {
    throw new HubError('USAGE', `Unknown policy action "${action}": see inlet policy --help.`);
  }
  process.stdout.write(formatPolicy(next));
  process.stderr.write(appliedBy(writer.where));
  return 0;
}

function ruleArg(policy: string | undefined, values: { provider?: string; tool?: string; caller?: string }): Rule {
  const rule: Rule = { policy: policyArg(policy) };
  if (values.provider) rule.provider = values.provider;
  if (values.tool) rule.tool = values.tool;
  if (values.caller) rule.caller = values.caller;
  return rule;
}

/** Rule N of the list as it is now (a list shown earlier may have changed in the panel since). */
async function numberedRule(writer: PolicyWriter, n: number): Promise<Rule> {
  const rules = (await writer.current()).rules;
  const rule = rules[n - 1];
  if (!rule) throw new HubError('USAGE', `There is no rule ${n}; \`inlet policy\` lists ${rules.length} rule(s).`);
  return rule;
}

function policyArg(value: string | undefined) {
  const parsed = PolicySchema.safeParse(value);
  if (!parsed.success) throw new HubError('USAGE', `The policy must be allow, ask or deny, not "${value ?? ''}".`);
  return parsed.data;
}

export function formatPolicy(a: ApprovalSettings): string {
  const lines = [
    `default: ${a.default}    timeout: ${a.timeout_s} s    read-only tools: ${a.allow_read_only ? 'allowed' : 'follow the rules'}${a.paused ? '    PAUSED: every new call is denied' : ''}`,
    a.rules.length ? 'rules (the most specific match wins):' : 'no rules: every call follows the default.',
    ...a.rules.map((rule, i) => `  ${i + 1}. ${describeRule(rule)}`),
  ];
  return lines.join('\n') + '\n';
}
