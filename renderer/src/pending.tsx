import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api';
import { PERMISSIONS_PROVIDER, type Pending } from './types';
import { Empty, useNow } from './ui';

/**
 * The calls waiting for a person. A decision's refusal (409: "Too late: this request timed out")
 * is kept here rather than on its card, because by then the card is leaving the list.
 */
export function PendingView(props: { pending: Pending[]; paused: boolean; keepaliveS: number; focus?: string | undefined }) {
  const [notice, setNotice] = useState<string | undefined>();
  // Opened at a call (from the tray or a notification) that was decided or timed out meanwhile.
  const gone = props.focus !== undefined && !props.pending.some((item) => item.id === props.focus);
  return (
    <>
      {gone && (
        <p class="notice gone" role="status">
          The call you opened is no longer waiting: it was decided or timed out.
        </p>
      )}
      {notice && (
        <div class="notice" role="alert">
          <span>{notice}</span>
          <button type="button" class="secondary" onClick={() => setNotice(undefined)}>
            Dismiss
          </button>
        </div>
      )}
      {props.pending.length === 0 ? (
        <Empty>
          <p>No call is waiting for approval.</p>
          <p class="hint">
            {props.paused
              ? 'Inlet is paused: every new call is denied until you lift the pause under Policy.'
              : 'A tool call that the policy sets to “ask” appears here the moment an AI client makes it, and waits in that client until you decide.'}
          </p>
        </Empty>
      ) : (
        <ul class="cards single">
          {props.pending.map((item) => (
            <li key={item.id}>
              <PendingCard item={item} keepaliveS={props.keepaliveS} onRefused={setNotice} focused={item.id === props.focus} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function PendingCard(props: { item: Pending; keepaliveS: number; onRefused: (message: string) => void; focused: boolean }) {
  const { item } = props;
  const card = useRef<HTMLElement>(null);
  useEffect(() => {
    if (props.focused) card.current?.scrollIntoView({ block: 'center' });
  }, [props.focused]);
  const now = useNow(250);
  // Stays set after a success: the next state event removes the card, and a second click meanwhile would only earn a 409.
  const [busy, setBusy] = useState(false);
  const left = Math.max(0, Math.ceil((item.expiresAt - now) / 1000));
  const total = Math.max(1, Math.round((item.expiresAt - item.createdAt) / 1000));
  const titleId = `pending-${item.id}`;
  const what = item.provider === PERMISSIONS_PROVIDER ? `Claude Code permission: ${item.tool}` : `${item.provider} / ${item.tool}`;

  const decide = async (approve: boolean, always: boolean) => {
    setBusy(true);
    try {
      await (approve ? api.approve(item.id, always) : api.deny(item.id, always));
    } catch (error) {
      props.onRefused(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      setBusy(false);
    }
  };

  return (
    <article ref={card} class={props.focused ? 'card pending focused' : 'card pending'} aria-labelledby={titleId} aria-current={props.focused ? 'true' : undefined}>
      <h3 id={titleId}>
        <code>{what}</code>
      </h3>
      <p class="meta">
        Requested by <strong>{item.caller}</strong>
        {item.exposed !== item.tool && (
          <>
            {' '}
            as <code>{item.exposed}</code>
          </>
        )}
      </p>
      {item.reason && <p class="reason">Reason given: {item.reason}</p>}
      <pre class="args" tabIndex={0} aria-label={`Arguments of ${what}`}>
        {JSON.stringify(item.arguments, null, 2)}
      </pre>
      <p class="countdown">
        <span role="timer" aria-live="off">
          {left > 0 ? `Times out in ${left} s` : 'Timing out…'}
        </span>
        <progress max={total} value={left} aria-hidden="true" />
      </p>
      <ClientWait keptAlive={item.keptAlive === true} everyS={props.keepaliveS} />
      <div class="actions" role="group" aria-label={`Decide on ${what}`}>
        <button type="button" class="approve" disabled={busy} onClick={() => decide(true, false)}>
          Approve
        </button>
        <button type="button" class="deny" disabled={busy} onClick={() => decide(false, false)}>
          Deny
        </button>
        <button type="button" class="secondary" disabled={busy} onClick={() => decide(true, true)} title="Approve, and add a rule allowing this tool from now on">
          Always allow
        </button>
        <button type="button" class="secondary" disabled={busy} onClick={() => decide(false, true)} title="Deny, and add a rule denying this tool from now on">
          Always deny
        </button>
      </div>
    </article>
  );
}

/**
 * Whether the AI client waits as long as the countdown: only one that asked for progress can be
 * kept waiting; any other gives up at its own time limit (docs/approvals.md, with sources).
 */
function ClientWait(props: { keptAlive: boolean; everyS: number }) {
  if (props.keptAlive) {
    return (
      <p class="hint client-wait">
        Inlet tells the AI client every {props.everyS} s that this call still waits, so a client that counts that as a sign of life (Claude Code does) keeps waiting until
        you decide.
      </p>
    );
  }
  return (
    <details class="hint client-wait">
      <summary>The AI client may stop waiting before this countdown ends</summary>
      <p>It asked for no progress updates, so nothing can keep it waiting: it gives up at its own time limit. To raise that limit:</p>
      <ul>
        <li>
          Claude Code: <code>MCP_TOOL_TIMEOUT</code> (milliseconds), or <code>"timeout"</code> in the server&apos;s <code>.mcp.json</code> entry.
        </li>
        <li>
          Apps on the MCP TypeScript SDK: 60 s per request, unless the app passes a longer <code>timeout</code>, or <code>onprogress</code> with{' '}
          <code>resetTimeoutOnProgress: true</code>.
        </li>
        <li>Claude Desktop and Cursor document no setting (Claude Desktop users report about 60 s).</li>
      </ul>
      <p>Or set a shorter approval timeout under Policy, so Inlet answers before the client gives up.</p>
    </details>
  );
}
