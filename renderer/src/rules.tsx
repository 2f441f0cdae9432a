import { useState } from 'preact/hooks';
import { api } from './api';
import { PolicyOptions } from './policy';
import type { Policy, Rule } from './types';
import { Empty, ErrorText, useAction } from './ui';

function describe(rule: Rule): string {
  const parts = [rule.caller && `caller ${rule.caller}`, rule.provider && `provider ${rule.provider}`, rule.tool && `tool ${rule.tool}`].filter(Boolean);
  return `${parts.length ? parts.join(', ') : 'any call'}: ${rule.policy}`;
}

/** The rules in config.json, in their order (a rule's number is what the hub's decisions cite). */
export function RulesList(props: { rules: Rule[]; defaultPolicy: Policy }) {
  const { busy, error, run } = useAction();
  if (props.rules.length === 0) {
    return (
      <Empty>
        <p>No rules yet: every call follows the default policy ({props.defaultPolicy}).</p>
        <p class="hint">“Always allow” and “Always deny” on a pending call add a rule for that tool; you can also add one below.</p>
      </Empty>
    );
  }
  return (
    <>
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Rules table">
        <table class="rules">
          <caption class="hint">The most specific matching rule wins: caller, then tool, then provider; between equals, the stricter.</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Provider</th>
              <th scope="col">Tool</th>
              <th scope="col">Caller</th>
              <th scope="col">Policy</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.rules.map((rule, index) => (
              <tr key={`${index}-${describe(rule)}`}>
                <td>{index + 1}</td>
                <td>{rule.provider ?? <span class="any">any</span>}</td>
                <td>{rule.tool ?? <span class="any">any</span>}</td>
                <td>{rule.caller ?? <span class="any">any</span>}</td>
                <td>
                  <span class={`badge policy-${rule.policy}`}>{rule.policy}</span>
                </td>
                <td>
                  <button type="button" class="secondary" disabled={busy} aria-label={`Delete rule ${index + 1} (${describe(rule)})`} onClick={() => run(() => api.deleteRule(index, rule))}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ErrorText error={error} />
    </>
  );
}

const EMPTY = { provider: '', tool: '', caller: '', policy: 'allow' as Policy };

/** A new rule; a field left empty matches anything. */
export function AddRule(props: { providers: string[] }) {
  const [form, setForm] = useState(EMPTY);
  const { busy, error, run } = useAction();
  const set = (key: keyof typeof EMPTY) => (event: Event) => setForm({ ...form, [key]: (event.currentTarget as HTMLInputElement).value });

  const submit = async (event: Event) => {
    event.preventDefault();
    const rule: Rule = { policy: form.policy };
    if (form.provider.trim()) rule.provider = form.provider.trim();
    if (form.tool.trim()) rule.tool = form.tool.trim();
    if (form.caller.trim()) rule.caller = form.caller.trim();
    if (await run(() => api.addRule(rule))) setForm(EMPTY);
  };

  return (
    <form class="add-rule" onSubmit={submit} aria-labelledby="add-rule-title">
      <h3 id="add-rule-title">Add a rule</h3>
      <div class="fields">
        <label>
          Provider
          <input value={form.provider} onInput={set('provider')} list="provider-names" placeholder="any" autoComplete="off" />
        </label>
        <label>
          Tool
          <input value={form.tool} onInput={set('tool')} placeholder="any (e.g. echo)" autoComplete="off" aria-describedby="rule-tool-help" />
        </label>
        <label>
          Caller
          <input value={form.caller} onInput={set('caller')} placeholder="any (e.g. ai:claude)" autoComplete="off" />
        </label>
        <label>
          Policy
          <select value={form.policy} onChange={set('policy')}>
            <PolicyOptions />
          </select>
        </label>
      </div>
      <p id="rule-tool-help" class="hint">
        A tool is named as its provider names it (<code>echo</code>, not <code>everything__echo</code>); an empty field matches anything.
      </p>
      <datalist id="provider-names">
        {props.providers.map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <button type="submit" disabled={busy}>
        Add rule
      </button>
      <ErrorText error={error} />
    </form>
  );
}
