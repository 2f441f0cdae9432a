// The browser tools the companion offers (the hub shows them as browser__<name>). Every failure
// a user can cause (a closed tab, a page the browser will not let extensions script, a bad URL)
// comes back as a tool error with a sentence the AI client can act on, never as a protocol error.

// Firefox exposes the promise-based `browser`; Chromium-family browsers only `chrome` (whose MV3
// APIs return promises too).
const api = globalThis.browser ?? globalThis.chrome;

/** innerText of a long page can run to megabytes; the AI client rarely needs more than this. */
export const MAX_TEXT_CHARS = 200_000;

const OPENABLE = new Set(['http:', 'https:', 'file:']);

export class ToolError extends Error {}

const noArguments = { type: 'object', properties: {}, additionalProperties: false };

export const TOOLS = [
  {
    name: 'list_tabs',
    description: 'Lists the open browser tabs: id, title, url, whether it is the active tab of its window, and its window id.',
    inputSchema: noArguments,
    annotations: { readOnlyHint: true },
    run: listTabs,
  },
  {
    name: 'open_url',
    description: 'Opens an http, https or file URL in a new tab and returns the new tab\'s id.',
    inputSchema: {
      type: 'object',
      properties: { url: { type: 'string', description: 'An http://, https:// or file:// URL.' } },
      required: ['url'],
      additionalProperties: false,
    },
    run: openUrl,
  },
  {
    name: 'read_tab_text',
    description: 'Returns the visible text of a tab (document.body.innerText). Without tabId, the active tab of the focused window.',
    inputSchema: {
      type: 'object',
      properties: { tabId: { type: 'integer', description: 'A tab id from list_tabs.' } },
      additionalProperties: false,
    },
    annotations: { readOnlyHint: true },
    run: readTabText,
  },
  {
    name: 'screenshot',
    description: 'Takes a PNG screenshot of the visible part of the active tab of a window (default: the focused window).',
    inputSchema: {
      type: 'object',
      properties: { windowId: { type: 'integer', description: 'A window id from list_tabs.' } },
      additionalProperties: false,
    },
    annotations: { readOnlyHint: true },
    run: screenshot,
  },
];

/** Runs one tool; the result is an MCP CallToolResult. */
export async function callTool(tool, args) {
  try {
    return await tool.run(args ?? {});
  } catch (error) {
    const message = error instanceof ToolError ? error.message : `${tool.name} failed: ${messageOf(error)}`;
    return { content: [{ type: 'text', text: message }], isError: true };
  }
}

function text(value) {
  return { content: [{ type: 'text', text: value }] };
}

function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

async function listTabs() {
  const tabs = await api.tabs.query({});
  const rows = tabs.map((tab) => ({ id: tab.id, title: tab.title ?? '', url: tab.url ?? '', active: tab.active, windowId: tab.windowId }));
  return text(JSON.stringify(rows, null, 1));
}

async function openUrl({ url }) {
  let parsed;
  try {
    parsed = new URL(String(url ?? ''));
  } catch {
    throw new ToolError(`"${url ?? ''}" is not a URL; give an absolute http://, https:// or file:// URL.`);
  }
  if (!OPENABLE.has(parsed.protocol)) {
    throw new ToolError(`open_url opens http, https and file URLs only, not ${parsed.protocol} ones.`);
  }
  const tab = await api.tabs.create({ url: parsed.href });
  return text(`Opened ${parsed.href} in tab ${tab.id} (window ${tab.windowId}).`);
}

/** The tab asked for, or the active tab; a clear error when there is none. */
async function findTab(tabId) {
  if (tabId !== undefined) {
    if (!Number.isInteger(tabId)) throw new ToolError(`tabId must be an integer tab id from list_tabs, not ${JSON.stringify(tabId)}.`);
    try {
      return await api.tabs.get(tabId);
    } catch {
      throw new ToolError(`No tab with id ${tabId}; list_tabs shows the open tabs.`);
    }
  }
  // A service worker has no window of its own, so "current" means the last focused window.
  const [active] = await api.tabs.query({ active: true, lastFocusedWindow: true });
  const tab = active ?? (await api.tabs.query({ active: true }))[0];
  if (!tab) throw new ToolError('No tab is open; open one with open_url.');
  return tab;
}

async function readTabText({ tabId }) {
  const tab = await findTab(tabId);
  let results;
  try {
    results = await api.scripting.executeScript({
      target: { tabId: tab.id },
      // Runs in the page: plain DOM, no access to this module.
      func: () => (document.body ?? document.documentElement)?.innerText ?? '',
    });
  } catch (error) {
    // Chromium refuses chrome://, the Web Store and other extensions' pages; Firefox refuses
    // about: pages and addons.mozilla.org. Both throw; neither gives a stable error code.
    throw new ToolError(
      `This page cannot be scripted (chrome:// pages, the Web Store, about: pages and other extensions' pages are off limits): tab ${tab.id} (${tab.url ?? 'unknown URL'}) — ${messageOf(error)}`,
    );
  }
  const value = results?.[0]?.result;
  if (typeof value !== 'string') throw new ToolError(`Tab ${tab.id} returned no text (it may still be loading); try again.`);
  if (value.length <= MAX_TEXT_CHARS) return text(value);
  return text(`${value.slice(0, MAX_TEXT_CHARS)}\n[… cut: the page has ${value.length} characters, the first ${MAX_TEXT_CHARS} are shown]`);
}

async function screenshot({ windowId }) {
  if (windowId !== undefined && !Number.isInteger(windowId)) {
    throw new ToolError(`windowId must be an integer window id from list_tabs, not ${JSON.stringify(windowId)}.`);
  }
  let dataUrl;
  try {
    dataUrl = windowId === undefined
      ? await api.tabs.captureVisibleTab({ format: 'png' })
      : await api.tabs.captureVisibleTab(windowId, { format: 'png' });
  } catch (error) {
    throw new ToolError(`The screenshot could not be taken (no such window, a minimized window, or a page the browser protects): ${messageOf(error)}`);
  }
  const comma = dataUrl.indexOf(',');
  return { content: [{ type: 'image', data: dataUrl.slice(comma + 1), mimeType: 'image/png' }] };
}
