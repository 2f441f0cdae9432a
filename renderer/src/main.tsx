import { commandLine } from '../../app/shared/command-line';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { RevokeView, RotateSecret } from './access';
import { ActivityView } from './activity';
import { watchState, type Connection } from './api';
import { ConnectionStatus, LostBanner, usePageTitle } from './connection';
import { PendingView } from './pending';
import { PauseSwitch, PolicySettings } from './policy';
import { ProvidersView } from './providers';
import { AddRule, RulesList } from './rules';
import { TokensView } from './tokens';
import { Welcome } from './welcome';
import type { PanelState } from './types';
import { Section } from './ui';
import './style.css';

/** The whole panel: one live state from `/api/events`, shown by one view per concept. */
function App() {
  const [state, setState] = useState<PanelState | undefined>();
  const [lastUpdate, setLastUpdate] = useState<Date | undefined>();
  const [connection, setConnection] = useState<Connection>({ kind: 'connecting' });
  useEffect(
    () =>
      watchState((next) => {
        setState(next);
        setLastUpdate(new Date());
      }, setConnection),
    [],
  );
  usePageTitle(state?.pending.length ?? 0, connection);
  const lost = connection.kind === 'lost';

  return (
    <>
      <header class="top">
        <h1>Inlet</h1>
        <nav aria-label="Sections">
          <a href="#pending">Pending</a> <a href="#providers">Providers</a> <a href="#activity">Activity</a> <a href="#policy">Policy</a>{' '}
          <a href="#tokens">Tokens</a>
        </nav>
        <ConnectionStatus connection={connection} version={state?.status.version} />
        {lost && <LostBanner connection={connection} lastUpdate={state && lastUpdate} />}
      </header>
      {connection.kind === 'logged-out' ? <LoggedOut inlet={state?.inlet} /> : state ? <Panel state={state} stale={lost} /> : <p class="boot">Loading…</p>}
    </>
  );
}

/** `inlet` is the last state's command for this hub (it carries --data-dir where the hub's is not the default). */
function LoggedOut({ inlet }: { inlet: PanelState['inlet'] | undefined }) {
  return (
    <main class="logged-out">
      <h2>This panel is logged out</h2>
      <p>
        The login expired, or the install secret was rotated. Run <code>{inlet ? commandLine(inlet.command, [...inlet.args, 'panel']) : 'inlet panel'}</code>{' '}
        and open the link it prints.
      </p>
    </main>
  );
}

/**
 * The panel's routes live in the fragment, so a link can open it anywhere without a second
 * page: `#welcome` (the tray app's first run) and `#pending/<id>` (a call, from the tray menu or
 * a notification); plain `#section` links stay what they are.
 */
function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return hash;
}

/** While the hub is away the last state stays readable, dimmed and inert: nothing in it can be acted on. */
function Panel({ state, stale }: { state: PanelState; stale: boolean }) {
  const { status, pending, activity, approvals, revoked } = state;
  const hash = useHash();
  const focus = /^#pending\/(.+)$/.exec(hash)?.[1];
  return (
    <main class={stale ? 'stale' : undefined} inert={stale} aria-label={stale ? 'Last known state (the hub is unreachable)' : undefined}>
      {hash === '#welcome' && <Welcome state={state} onDone={() => (location.hash = '')} />}
      {approvals.paused && (
        <p class="banner" role="status">
          Paused: every new call is denied.
        </p>
      )}
      <Section id="pending" title="Pending approvals" count={pending.length}>
        <PendingView pending={pending} paused={approvals.paused} keepaliveS={approvals.keepalive_s} focus={focus && decodeURIComponent(focus)} />
      </Section>
      <Section id="providers" title="Providers" count={status.providers.length}>
        <ProvidersView providers={status.providers} sessions={status.sessions} wsUrl={status.urls.ws} inlet={state.inlet.line} />
      </Section>
      <Section id="activity" title="Recent activity">
        <ActivityView activity={activity} />
      </Section>
      <Section id="policy" title="Policy">
        <PauseSwitch paused={approvals.paused} />
        <PolicySettings approvals={approvals} />
        <h3>Rules</h3>
        <RulesList rules={approvals.rules} defaultPolicy={approvals.default} />
        <AddRule providers={status.providers.map((p) => p.name)} />
      </Section>
      <Section id="tokens" title="Tokens">
        <TokensView mcpUrl={status.urls.mcp} inlet={state.inlet} />
        <RevokeView sessions={status.sessions} revoked={revoked} />
        <h3>Install secret</h3>
        <RotateSecret inlet={state.inlet.line} />
      </Section>
    </main>
  );
}

// The static "Loading" text in index.html is for the moment before this script runs: replace it.
const root = document.getElementById('app')!;
root.textContent = '';
render(<App />, root);
