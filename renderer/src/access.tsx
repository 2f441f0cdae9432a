import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from './api';
import type { HubStatus } from './types';
import { ErrorText, useAction } from './ui';

/** Who is connected, and revoking a client id: its tokens stop working for good. */
export function RevokeView(props: { sessions: HubStatus['sessions']; revoked: string[] }) {
  const [client, setClient] = useState('');
  const { busy, error, run } = useAction();
  const callers = [...new Set(props.sessions.map((s) => s.caller))].filter((c) => !props.revoked.includes(c));

  const revoke = (id: string) => run(() => api.revoke(id)).then((ok) => ok && setClient(''));

  return (
    <>
      <h3>Connected AI clients</h3>
      {callers.length === 0 ? (
        <p class="hint">No AI client is connected right now.</p>
      ) : (
        <ul class="plain">
          {callers.map((caller) => (
            <li key={caller} class="row">
              <code>{caller}</code>
              <button type="button" class="secondary" disabled={busy} aria-label={`Revoke ${caller}`} onClick={() => revoke(caller)}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
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
      <p class="hint">Revoked: {props.revoked.length ? props.revoked.join(', ') : 'none'}.</p>
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
