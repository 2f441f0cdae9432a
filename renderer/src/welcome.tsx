import type { PanelState } from './types';
import { Snippet } from './ui';

/**
 * The first-run page (`/#welcome`, which the tray app opens once): what Inlet is doing, and the
 * two steps that make it useful, connecting an AI client and the companion extension.
 */
export function Welcome(props: { state: PanelState; onDone: () => void }) {
  const { inlet, extensionDir, status } = props.state;
  return (
    <section id="welcome" class="section welcome" aria-labelledby="welcome-title">
      <h2 id="welcome-title">Welcome to Inlet</h2>
      <p>
        Inlet runs in your tray (the menu bar on macOS). Tools connect <em>in</em> to it, every AI client sees them at one address,{' '}
        <code>{status.urls.mcp}</code>, and each tool call waits here, or in a desktop notification, for your approval.
      </p>
      <ol class="steps">
        <li>
          <h3>Connect an AI client</h3>
          <p>
            In the tray menu choose <strong>Connect an AI client</strong>: Claude Desktop, Cursor and VS Code get Inlet added to their config (restart them
            afterwards); for Claude Code the command to run is copied. Any other client: create a token under <a href="#tokens">Tokens</a>.
          </p>
        </li>
        <li>
          <h3>Add the companion extension (your browser tabs as tools)</h3>
          <p>
            Inlet has registered itself with the browsers it found, so the extension finds the hub with nothing to type. In Chrome, Edge, Brave, Vivaldi or
            Chromium open <code>chrome://extensions</code>, turn on <em>Developer mode</em>, choose <em>Load unpacked</em> and pick this folder; in Firefox
            open <code>about:debugging</code>, <em>This Firefox</em>, <em>Load Temporary Add-on</em> and pick its <code>manifest.json</code>:
          </p>
          <Snippet title="Extension folder" text={extensionDir} />
        </li>
        <li>
          <h3>Offer more tools</h3>
          <p>Any stdio MCP server becomes tools for every AI client with one command:</p>
          <Snippet title="In a terminal" text={`${inlet.line} bridge --name NAME -- COMMAND ARGS…`} />
        </li>
      </ol>
      <button type="button" onClick={props.onDone}>
        Done
      </button>
    </section>
  );
}
