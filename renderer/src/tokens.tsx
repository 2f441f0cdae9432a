import type { PanelState } from './types';
import { useState } from 'preact/hooks';
import { api } from './api';
import { ErrorText, Snippet, useAction } from './ui';

/** What the hub accepts after `ai:` (app/core/tokens.ts), checked here so the form can say so early. */
const NAME_PATTERN = '[A-Za-z0-9._@+\\-]{1,128}';

interface Created {
  name: string;
  token: string;
}

/**
 * Creates an AI client's token and shows it once, inside ready-to-paste configuration for the
 * clients people use. Claude Desktop gets `inlet stdio`, which mints its own token over the
 * control socket, so only its name has to match.
 */
export function TokensView(props: { mcpUrl: string | undefined; inlet: PanelState['inlet'] }) {
  const [name, setName] = useState('');
  const [created, setCreated] = useState<Created | undefined>();
  const { busy, error, run } = useAction();

  const submit = async (event: Event) => {
    event.preventDefault();
    const wanted = name.trim();
    await run(async () => {
      const { token } = await api.createToken(`ai:${wanted}`);
      setCreated({ name: wanted, token });
      setName('');
    });
  };

  return (
    <>
      <h3>Create an AI token</h3>
      <form class="inline-form" onSubmit={submit}>
        <label>
          AI client name
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} required pattern={NAME_PATTERN} placeholder="claude" autoComplete="off" title="Letters, digits and . _ @ + -" />
        </label>
        <button type="submit" disabled={busy}>
          Create AI token
        </button>
      </form>
      <ErrorText error={error} />
      {created && <ClientConfigs created={created} mcpUrl={props.mcpUrl ?? 'http://127.0.0.1:41414/mcp'} inlet={props.inlet} onDone={() => setCreated(undefined)} />}
    </>
  );
}

function ClientConfigs(props: { created: Created; mcpUrl: string; inlet: PanelState['inlet']; onDone: () => void }) {
  const { name, token } = props.created;
  // Absolute paths from the hub: `npx inlet` outside the checkout would fetch another package.
  const { command, args, env } = props.inlet;
  const desktop = JSON.stringify({ mcpServers: { inlet: { command, args: [...args, 'stdio', '--name', name], ...(env ? { env } : {}) } } }, null, 2);
  const code = `claude mcp add --transport http inlet ${props.mcpUrl} --header "Authorization: Bearer ${token}"`;
  const cursor = JSON.stringify({ mcpServers: { inlet: { url: props.mcpUrl, headers: { Authorization: `Bearer ${token}` } } } }, null, 2);
  const vscode = JSON.stringify({ servers: { inlet: { type: 'http', url: props.mcpUrl, headers: { Authorization: `Bearer ${token}` } } } }, null, 2);
  return (
    <div class="created" role="region" aria-labelledby="created-title">
      <h3 id="created-title">Token for ai:{name}</h3>
      <p class="hint">
        The token is shown only now: the hub keeps no list of them (revoke <code>ai:{name}</code> below to stop it working).
      </p>
      <Snippet title="Token" text={token} />
      <Snippet title="Claude Desktop" text={desktop} hint={<>Merge into <code>claude_desktop_config.json</code> and restart Claude Desktop; <code>inlet stdio</code> finds the hub and makes its own token.</>} />
      <Snippet title="Claude Code" text={code} hint="Run in a terminal." />
      <Snippet title="Cursor" text={cursor} hint={<>Merge into <code>~/.cursor/mcp.json</code> (or the project's <code>.cursor/mcp.json</code>).</>} />
      <Snippet title="VS Code" text={vscode} hint={<>Merge into VS Code's user <code>mcp.json</code> (command “MCP: Open User Configuration”) or the workspace's <code>.vscode/mcp.json</code>.</>} />
      <button type="button" class="secondary" onClick={props.onDone}>
        Done: hide the token
      </button>
    </div>
  );
}
