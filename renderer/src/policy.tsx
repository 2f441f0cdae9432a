import { useState } from 'preact/hooks';
import { api } from './api';
import type { ApprovalSettings, Policy } from './types';
import { ErrorText, useAction } from './ui';

/** The three policies as <option>s, in one order everywhere. */
export function PolicyOptions() {
  return (
    <>
      {(Object.keys(POLICY_LABEL) as Policy[]).map((policy) => (
        <option key={policy} value={policy}>
          {POLICY_LABEL[policy]}
        </option>
      ))}
    </>
  );
}

export const POLICY_LABEL: Record<Policy, string> = {
  ask: 'Ask (wait for my approval)',
  allow: 'Allow',
  deny: 'Deny',
};

/** The pause switch: applies at once, because it is what a person reaches for in a hurry. */
export function PauseSwitch(props: { paused: boolean }) {
  const { busy, error, run } = useAction();
  return (
    <div class={`pause ${props.paused ? 'on' : ''}`}>
      <button type="button" role="switch" aria-checked={props.paused} aria-describedby="pause-help" disabled={busy} onClick={() => run(() => api.pause(!props.paused))}>
        <span class="switch-track" aria-hidden="true">
          <span class="switch-thumb" />
        </span>
        Pause
      </button>
      <span id="pause-help" class="hint">
        {props.paused ? 'Paused: every new call is denied until you switch this off.' : 'Deny every new call until switched off.'}
      </span>
      <ErrorText error={error} />
    </div>
  );
}

type Draft = Pick<ApprovalSettings, 'default' | 'timeout_s' | 'allow_read_only'>;

/**
 * Default policy, timeout and the read-only shortcut, saved together. Until the person edits
 * it, the form follows the hub's live values; the save sends only the three settings it edits,
 * so it cannot undo a rule or a pause made meanwhile (the hub changes only the keys sent).
 */
export function PolicySettings(props: { approvals: ApprovalSettings }) {
  const [draft, setDraft] = useState<Draft | undefined>();
  const { busy, error, run } = useAction();
  const shown: Draft = draft ?? props.approvals;
  const edit = (change: Partial<Draft>) => setDraft({ ...shown, ...change });

  const save = async (event: Event) => {
    event.preventDefault();
    if (!draft) return;
    const { default: policy, timeout_s, allow_read_only } = draft;
    if (await run(() => api.savePolicy({ default: policy, timeout_s, allow_read_only }))) setDraft(undefined);
  };

  return (
    <form class="settings" onSubmit={save}>
      <label>
        Default policy
        <select value={shown.default} onChange={(e) => edit({ default: e.currentTarget.value as Policy })}>
          <PolicyOptions />
        </select>
      </label>
      <label>
        Approval timeout (seconds)
        <input type="number" min={1} max={86400} step={1} required value={shown.timeout_s} onInput={(e) => edit({ timeout_s: Number(e.currentTarget.value) })} />
      </label>
      <label class="check">
        <input type="checkbox" checked={shown.allow_read_only} onChange={(e) => edit({ allow_read_only: e.currentTarget.checked })} />
        <span>
          Allow read-only tools without asking (tools their provider marks <code>readOnlyHint</code>, when no rule names them)
        </span>
      </label>
      <div class="actions">
        <button type="submit" disabled={!draft || busy}>
          Save settings
        </button>
        {draft && (
          <button type="button" class="secondary" onClick={() => setDraft(undefined)}>
            Discard changes
          </button>
        )}
      </div>
      <ErrorText error={error} />
    </form>
  );
}
