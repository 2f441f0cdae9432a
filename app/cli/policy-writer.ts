import { HubError } from '../core/base/errors.js';
import { describeRule } from '../core/calls/policy.js';
import type { ApprovalSettings, DeleteRuleRequest, Rule } from '../shared/admin-types.js';
import { AdminClient } from './admin-client.js';
import type { AppliedBy } from './applied-by.js';
import type { CliContext } from './context.js';

/**
 * How `inlet policy` changes the approval policy (docs/decisions.md, One writer of the hub's
 * state). While a hub runs, every change is one of the admin API's atomic operations (append a
 * rule, remove that rule, set these keys), applied by the hub's own single writer of config.json,
 * so a click in the panel at the same moment is never lost. With no hub running, the change is
 * written to config.json directly, atomically, and `where` says so.
 */
export interface PolicyWriter {
  where: AppliedBy;
  current(): Promise<ApprovalSettings>;
  /** Sets these keys only; the others (the rules among them) stay as they are now. */
  set(change: Partial<Omit<ApprovalSettings, 'rules'>>): Promise<ApprovalSettings>;
  addRule(rule: Rule): Promise<ApprovalSettings>;
  /** Removes this rule, wherever it stands now; refuses when no rule is equal to it any more. */
  removeRule(rule: Rule): Promise<ApprovalSettings>;
}

export async function policyWriter(context: CliContext): Promise<PolicyWriter> {
  const client = await AdminClient.ifRunning(context);
  return client ? hubWriter(client) : fileWriter(context);
}

/** Attempts at removing a rule whose index another writer keeps moving. */
const REMOVE_ATTEMPTS = 5;

function hubWriter(client: AdminClient): PolicyWriter {
  const current = () => client.call<ApprovalSettings>('GET', '/policy');
  return {
    where: { hub: true, pid: client.hub.pid },
    current,
    set: (change) => client.call<ApprovalSettings>('PUT', '/policy', change),
    addRule: (rule) => client.call<ApprovalSettings>('POST', '/policy/rules', rule),
    // The hub removes by index and checks that the rule there is still this one (409 if not):
    // when another writer moved it meanwhile, find it again and retry.
    removeRule: async (rule) => {
      for (let attempt = 1; ; attempt += 1) {
        const index = indexOfRule((await current()).rules, rule);
        const { status, data } = await client.request<ApprovalSettings & { error?: string }>('DELETE', `/policy/rules/${index}`, { rule } satisfies DeleteRuleRequest);
        if (status === 200) return data;
        if (status !== 409 || attempt === REMOVE_ATTEMPTS) throw new HubError('USAGE', data.error ?? `The hub answered HTTP ${status}.`);
      }
    },
  };
}

function fileWriter(context: CliContext): PolicyWriter {
  // The same single writer of config.json the hub uses: re-read, edit, validate, write atomically.
  const store = context.configStore();
  return {
    where: { hub: false, file: context.configPath },
    current: async () => (await context.loadConfig()).config.approvals,
    set: async (change) => (await store.updateApprovals((a) => ({ ...a, ...change }))).approvals,
    addRule: async (rule) => (await store.updateApprovals((a) => ({ ...a, rules: [...((a.rules as unknown[]) ?? []), rule] }))).approvals,
    removeRule: async (rule) =>
      (
        await store.updateApprovals((a) => {
          const rules = (a.rules as Rule[]) ?? [];
          const index = indexOfRule(rules, rule);
          return { ...a, rules: rules.filter((_, i) => i !== index) };
        })
      ).approvals,
  };
}

function indexOfRule(rules: readonly Rule[], rule: Rule): number {
  const key = ruleKey(rule);
  const index = rules.findIndex((r) => ruleKey(r) === key);
  if (index < 0) throw new HubError('USAGE', `No rule is "${describeRule(rule)}" (now, at least: it may have been removed meanwhile); nothing was removed.`);
  return index;
}

/** A rule's identity, whatever order its keys were written in. */
function ruleKey(rule: Rule): string {
  return JSON.stringify([rule.provider ?? null, rule.tool ?? null, rule.caller ?? null, rule.policy]);
}
