import type { HubStatus, ProviderLogLine, ProviderStatus } from './types';
import { clock, Empty, span, useNow } from './ui';

/** Every connected provider with its tools and how busy it has been. */
export function ProvidersView(props: { providers: ProviderStatus[]; sessions: HubStatus['sessions']; wsUrl: string | undefined; inlet: string }) {
  if (props.providers.length === 0) return <NoProviders wsUrl={props.wsUrl} inlet={props.inlet} />;
  return (
    <ul class="cards">
      {props.providers.map((provider) => (
        <li key={provider.name}>
          <ProviderCard provider={provider} caller={registrantCaller(provider, props.sessions)} />
        </li>
      ))}
    </ul>
  );
}

/**
 * Who a registrant's own calls come from, where that is not the token it connected with: an
 * add-in that did not name itself (MCP-Link's clients, `addin:addin`) calls as `addin:<tool>`.
 */
function registrantCaller(provider: ProviderStatus, sessions: HubStatus['sessions']): string | undefined {
  if (provider.kind !== 'registrant') return undefined;
  const caller = sessions.find((s) => s.registered?.some((tool) => provider.tools.includes(tool)))?.caller;
  return caller === provider.client ? undefined : caller;
}

function NoProviders(props: { wsUrl: string | undefined; inlet: string }) {
  return (
    <Empty>
      <p>No provider connected yet — here is how to connect one:</p>
      <pre tabIndex={0}>{props.inlet} bridge --name NAME -- COMMAND</pre>
      <p class="hint">
        That wraps any stdio MCP server (for example <code>{props.inlet} bridge --name everything -- npx @modelcontextprotocol/server-everything</code>)
        and keeps it connected. Programs that speak MCP over WebSocket dial{' '}
        <code>{props.wsUrl ?? 'ws://127.0.0.1:PORT/ws'}?server_name=NAME</code> with a token from{' '}
        <code>{props.inlet} token create --client provider:NAME</code>.
      </p>
    </Empty>
  );
}

/**
 * One provider. A registrant (MCP-Link's `remote` tool) offers exactly the tool it registered, so
 * its card leaves out resources and prompts, and its time is when it registered.
 */
function ProviderCard(props: { provider: ProviderStatus; caller: string | undefined }) {
  const p = props.provider;
  const now = useNow(5_000);
  const titleId = `provider-${p.name}`;
  const registrant = p.kind === 'registrant';
  return (
    <article class="card provider" aria-labelledby={titleId}>
      <div class="card-head">
        <h3 id={titleId}>{p.name}</h3>
        <span>
          <span class="badge kind" title="How it connected">{p.kind}</span> <span class={`badge state-${p.state}`}>{p.state}</span>
        </span>
      </div>
      <dl class="stats">
        <div>
          <dt>{registrant ? 'Registered' : 'Since'}</dt>
          <dd>
            <time dateTime={p.since}>{clock(p.since)}</time> ({span(now - Date.parse(p.since))} ago)
          </dd>
        </div>
        <Stat label="Tools" value={String(p.tools.length)} />
        {!registrant && <Stat label="Resources" value={p.resourceTemplates ? `${p.resources} + ${p.resourceTemplates} templates` : String(p.resources)} />}
        {!registrant && <Stat label="Prompts" value={String(p.prompts)} />}
        <Stat label="Calls" value={String(p.calls)} />
        <Stat label="Errors" value={String(p.errors)} warn={p.errors > 0} />
        <Stat label="Avg latency" value={p.calls ? `${p.avgMs} ms` : '—'} />
        {p.inFlight > 0 && <Stat label="In flight" value={String(p.inFlight)} />}
      </dl>
      <p class="meta">
        {registrant ? 'MCP-Link registrant over /sse' : (p.server ?? 'unknown server')}
        {p.protocol && <> · MCP {p.protocol}</>} · {p.client}
        {props.caller && <>, calling other tools as {props.caller}</>} · from {p.remote}
      </p>
      <ToolList name={p.name} tools={p.tools} />
      {p.logs && p.logs.length > 0 && <LogLines name={p.name} lines={p.logs} />}
    </article>
  );
}

/** The provider's recent log lines (notifications/message), newest first, folded away until opened. */
function LogLines(props: { name: string; lines: ProviderLogLine[] }) {
  const newest = [...props.lines].reverse();
  return (
    <details class="provider-log">
      <summary>
        Recent log ({props.lines.length} {props.lines.length === 1 ? 'line' : 'lines'}, latest: {newest[0]!.level})
      </summary>
      <ol aria-label={`Recent log of ${props.name}`}>
        {newest.map((line, index) => (
          <li key={`${line.time}-${index}`} class={`log-${line.level}`}>
            <time dateTime={line.time}>{clock(line.time)}</time> <span class="badge">{line.level}</span>
            {line.logger && <span class="meta"> {line.logger}</span>} <span class="log-text">{line.text}</span>
          </li>
        ))}
      </ol>
    </details>
  );
}

function Stat(props: { label: string; value: string; warn?: boolean }) {
  return (
    <div class={props.warn ? 'warn' : undefined}>
      <dt>{props.label}</dt>
      <dd>{props.value}</dd>
    </div>
  );
}

function ToolList(props: { name: string; tools: string[] }) {
  if (props.tools.length === 0) return <p class="hint">This provider offers no tools right now.</p>;
  return (
    <>
      <h4 class="tools-title">
        {props.tools.length} {props.tools.length === 1 ? 'tool' : 'tools'}
      </h4>
      <ul class="tools" aria-label={`Tools of ${props.name}`}>
        {props.tools.map((tool) => (
          <li key={tool}>
            <code>{tool}</code>
          </li>
        ))}
      </ul>
    </>
  );
}
