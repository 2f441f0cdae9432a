import { z } from 'zod';
import type { ApprovalSettings as SharedApprovalSettings } from '../../shared/admin-types.js';
import { asksByDefault } from '../security/roles.js';

/**
 * Approval policies (docs/approvals.md): `allow`, `ask` or `deny` per tool, per provider, per caller,
 * and a default. Tool names in rules are the provider's own names (`echo`, not
 * `everything__echo`), so a rule survives renaming rules of exposure.
 */
export const PolicySchema = z.enum(['allow', 'ask', 'deny']);
export type Policy = z.infer<typeof PolicySchema>;

export const RuleSchema = z.strictObject({
  provider: z.string().min(1).optional(),
  tool: z.string().min(1).optional(),
  caller: z.string().min(1).optional(),
  policy: PolicySchema,
});
export type Rule = z.infer<typeof RuleSchema>;

export const ApprovalSettingsSchema = z.strictObject({
  default: PolicySchema.default('ask'),
  timeout_s: z.number().positive().max(86_400).default(120),
  rules: z.array(RuleSchema).default([]),
  /** While true, every new call is denied. */
  paused: z.boolean().default(false),
  /** Tools their provider marks readOnlyHint: true are allowed when no rule names them. */
  allow_read_only: z.boolean().default(false),
  /** Most calls waiting for a decision at once; a call past it is refused at once. */
  max_pending: z.number().int().min(1).default(256),
  /** Most calls one caller may have waiting at once (its share of max_pending). */
  max_pending_per_caller: z.number().int().min(1).default(64),
  /**
   * While a call waits, an AI client that asked for progress hears one progress notification
   * this often, so its own request timeout does not end the call first (docs/approvals.md).
   */
  keepalive_s: z.number().positive().max(3_600).default(10),
});
export type ApprovalSettings = z.infer<typeof ApprovalSettingsSchema>;

// The schema and the shared type the panel reads must describe the same object.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _settingsMatch: Same<ApprovalSettings, SharedApprovalSettings> = true;
void _settingsMatch;

export interface PolicySubject {
  provider: string;
  tool: string;
  caller: string;
  readOnly?: boolean;
}

export interface PolicyDecision {
  policy: Policy;
  /** What decided, for people: "rule 3 (provider everything, tool echo)", "default", "pause". */
  source: string;
  rule?: Rule;
}

const STRICTNESS: Record<Policy, number> = { allow: 0, ask: 1, deny: 2 };

/**
 * The most specific matching rule wins: a rule naming the caller beats one that does not; then
 * one naming the tool beats one naming only the provider, which beats the default. Between
 * equally specific rules the stricter one wins (deny over ask over allow), so adding a rule can
 * never silently loosen another of the same weight.
 *
 * Calls from extensions and add-ins (`ext:`, `addin:`: MCP-Link registrants calling other
 * providers' tools) are asked about at least, whatever the default, a provider-wide rule or
 * `allow_read_only` say, unless a rule names that caller: a browser extension must not act
 * through another provider's tools unseen because the user trusts their AI clients.
 */
export function resolvePolicy(settings: ApprovalSettings, subject: PolicySubject): PolicyDecision {
  const decision = resolveRules(settings, subject);
  if (decision.policy === 'allow' && decision.rule?.caller === undefined && asksByDefault(subject.caller)) {
    return { policy: 'ask', source: `extension caller (no rule names ${subject.caller})` };
  }
  return decision;
}

function resolveRules(settings: ApprovalSettings, subject: PolicySubject): PolicyDecision {
  if (settings.paused) return { policy: 'deny', source: 'pause' };
  let best: { rule: Rule; index: number; score: number } | undefined;
  settings.rules.forEach((rule, index) => {
    if (rule.provider !== undefined && rule.provider !== subject.provider) return;
    if (rule.tool !== undefined && rule.tool !== subject.tool) return;
    if (rule.caller !== undefined && rule.caller !== subject.caller) return;
    const score = (rule.caller ? 4 : 0) + (rule.tool ? 2 : 0) + (rule.provider ? 1 : 0);
    if (!best || score > best.score || (score === best.score && STRICTNESS[rule.policy] > STRICTNESS[best.rule.policy])) {
      best = { rule, index, score };
    }
  });
  if (best) return { policy: best.rule.policy, source: `rule ${best.index + 1} (${describeRule(best.rule)})`, rule: best.rule };
  if (settings.allow_read_only && subject.readOnly) return { policy: 'allow', source: 'read-only tool' };
  return { policy: settings.default, source: 'default' };
}

export function describeRule(rule: Rule): string {
  const parts = [
    rule.caller && `caller ${rule.caller}`,
    rule.provider && `provider ${rule.provider}`,
    rule.tool && `tool ${rule.tool}`,
  ].filter(Boolean);
  return `${parts.length ? parts.join(', ') : 'any call'} → ${rule.policy}`;
}
