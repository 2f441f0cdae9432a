// The popup: shows the background's status and one line of what to do about it. It holds no
// state of its own; the background answers inlet.status and announces every change.

const api = globalThis.browser ?? globalThis.chrome;

/** What the user can do, per state: one line each (docs/discovery.md: the user types no URL or token). */
const HINTS = {
  'connected': '',
  'connecting': '',
  'hub-not-running': 'Start the Inlet app, or run <code>inlet serve</code>; this extension connects by itself.',
  'not-paired': 'Run <code>inlet manifests install</code> (the Inlet app does it on first run), then press Retry.',
  'replaced': 'Only one browser at a time serves the "browser" tools.',
  'error': 'Check <code>inlet status</code> and the hub\'s log; allow this extension again if it was revoked.',
};

const root = document.getElementById('status');
const title = document.getElementById('title');
const detail = document.getElementById('detail');
const tools = document.getElementById('tools');
const hint = document.getElementById('hint');
const retry = document.getElementById('retry');

function render(status) {
  if (!status) return;
  root.dataset.state = status.state;
  // The title names the state too, so a tab list (or a screen reader's window list) shows it.
  document.title = `Inlet: ${status.title}`;
  title.textContent = status.title;
  detail.textContent = status.state === 'connected' ? `Hub: ${status.hub}` : status.detail ?? '';
  tools.hidden = status.state !== 'connected';
  tools.textContent = `${status.tools} tools offered to AI clients as browser__…`;
  // HINTS is a constant of this file, never text from the hub, so markup in it is safe.
  hint.innerHTML = HINTS[status.state] ?? '';
  retry.hidden = status.state === 'connected' || status.state === 'connecting';
}

async function ask(type) {
  try {
    render(await api.runtime.sendMessage({ type }));
  } catch (error) {
    render({ state: 'error', title: 'The extension is not running', detail: String(error?.message ?? error) });
  }
}

api.runtime.onMessage.addListener((message) => {
  if (message?.type === 'inlet.status-changed') render(message.status);
});
retry.addEventListener('click', () => void ask('inlet.retry'));
void ask('inlet.status');
