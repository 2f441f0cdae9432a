import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api';
import { isRegistrantSession, type HubStatus } from './types';
import { ErrorText, useAction } from './ui';

/** One connected client as the Tokens section lists it, and the token id that cuts it off. */
interface ClientRow {
  caller: string;
  /** The client id a revoke names: the token it connected with. */
  token: string;
  /** The tools an MCP-Link registrant registered (empty for an AI client). */
  registered: string[];
  /** An MCP-Link registrant's session, listed apart from the AI clients. */
  registrant: boolean;
}

/**
 * The live sessions by caller. A revoke names the token the session connected with, as a
 * registrant's provider card says: an add-in that did not name itself calls as `addin:<tool>`,
 * but its token is the native host's `addin:addin`, and revoking the caller's name would cut
 * nothing off (the hub says so in `token`, even after the add-in unregistered its tools).
 */
function clientRows(sessions: HubStatus['sessions'], revoked: string[]): ClientRow[] {
  const rows = new Map<string, ClientRow>();
  for (const session of sessions) {
    const row = rows.get(session.caller) ?? { caller: session.caller, token: session.caller, registered: [], registrant: false };
    row.registered.push(...(session.registered ?? []));
    if (session.token) row.token = session.token;
    if (isRegistrantSession(session)) row.registrant = true;
    rows.set(session.caller, row);
  }
  return [...rows.values()].filter((row) => !revoked.includes(row.token) && !revoked.includes(row.caller));
}

/** Who is connected (AI clients, then MCP-Link registrants), revoking a client id (its tokens stop working) and allowing it again. */
export function RevokeView(props: { sessions: HubStatus['sessions']; revoked: string[] }) {
  const [client, setClient] = useState('');
  const { busy, error, run } = useAction();
  const rows = clientRows(props.sessions, props.revoked);
  const aiClients = rows.filter((row) => !row.registrant);
  const registrants = rows.filter((row) => row.registrant);

  const revoke = (id: string) => run(() => api.revoke(id)).then((ok) => ok && setClient(''));
  const button = (row: ClientRow) => (
    <button type="button" class="secondary" disabled={busy} aria-label={`Revoke ${row.token}`} onClick={() => revoke(row.token)}>
      Revoke
    </button>
  );

  return (
    <>
      <h3>Connected AI clients</h3>
      {aiClients.length === 0 ? (
        <p class="hint">No AI client is connected right now.</p>
      ) : (
        <ul class="plain">
          {aiClients.map((row) => (
            <li key={row.caller} class="row">
              <code>{row.caller}</code>
              {button(row)}
            </li>
          ))}
        </ul>
      )}
      {registrants.length > 0 && (
        <>
          <h3>Connected MCP-Link registrants</h3>
          <ul class="plain" aria-label="Connected MCP-Link registrants">
            {registrants.map((row) => (
              <li key={row.caller} class="row">
                <code>{row.caller}</code>
                <span class="hint grow">
                  {row.registered.length ? `registered ${row.registered.join(', ')}` : 'no tool registered right now'}
                  {row.token !== row.caller && <> · connected with the token of {row.token}: Revoke cuts off every tool that uses it</>}
                </span>
                {button(row)}
              </li>
            ))}
          </ul>
        </>
      )}
      <form
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          void revoke(client.trim());
        }}
      >
        <label>
          Client id to revoke
          <input value={client} onInput={(e) => setClient(e.currentTarget.value)} required placeholder="ai:NAME or provider:NAME" autoComplete="off" />
        </label>
        <button type="submit" class="deny" disabled={busy}>
          Revoke
        </button>
      </form>
      <ErrorText error={error} />
      <RevokedList revoked={props.revoked} />
    </>
  );
}

/**
 * The revoked client ids, each with Allow again: the hub takes it out of `tokens.revoked`, so its
 * tokens work again at once. No confirmation, since it only gives access back; the row goes when
 * the next `state` event says so.
 */
function RevokedList(props: { revoked: string[] }) {
  const { busy, error, run } = useAction();
  if (props.revoked.length === 0) return <p class="hint">Revoked: none.</p>;
  return (
    <>
      <h3>Revoked clients</h3>
      <ul class="plain" aria-label="Revoked clients">
        {props.revoked.map((id) => (
          <li key={id} class="row">
            <code>{id}</code>
            <span class="hint grow">its tokens are refused</span>
            <button type="button" class="secondary" disabled={busy} aria-label={`Allow ${id} again`} onClick={() => run(() => api.allow(id))}>
              Allow again
            </button>
          </li>
        ))}
      </ul>
      <ErrorText error={error} />
    </>
  );
}

/**
 * Rotating the install secret cuts off every provider, AI client and this login, so it takes a
 * second, explicit step. The question takes the keyboard focus (on Cancel, the safe answer);
 * Escape or Cancel backs out and gives the focus back to the button that asked. `inlet` is this
 * installation's command line, data dir included (PanelState.inlet).
 */
export function RotateSecret(props: { inlet: string }) {
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<string | undefined>();
  const { busy, error, run } = useAction();
  const cancel = useRef<HTMLButtonElement>(null);
  const start = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  useEffect(() => {
    if (confirming) cancel.current?.focus();
    else if (asked.current) start.current?.focus();
    asked.current ||= confirming;
  }, [confirming]);

  if (done) {
    return (
      <div class="notice" role="status">
        {done} Run <code>{props.inlet} panel</code> for a fresh login link; reconnect providers and AI clients with new tokens.
      </div>
    );
  }
  if (!confirming) {
    return (
      <button type="button" class="deny" ref={start} onClick={() => setConfirming(true)}>
        Rotate install secret…
      </button>
    );
  }
  const rotate = () => run(async () => setDone((await api.rotateSecret()).message));
  return (
    <div class="confirm" role="group" aria-labelledby="rotate-title" onKeyDown={(e) => e.key === 'Escape' && setConfirming(false)}>
      <p id="rotate-title">
        <strong>Rotate the install secret?</strong> Every token stops working at once: connected providers and AI clients are cut off, and this panel
        logs out.
      </p>
      <div class="actions">
        <button type="button" class="deny" disabled={busy} onClick={rotate}>
          Yes, rotate the secret
        </button>
        <button type="button" class="secondary" ref={cancel} onClick={() => setConfirming(false)}>
          Cancel
        </button>
      </div>
      <ErrorText error={error} />
    </div>
  );
}
