import type { ServerResponse } from 'node:http';

/** The panel's CSP: also the message pages', whose only other files are /assets/palette.css and message.css. */
export const PANEL_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export interface MessagePage {
  /** The tab title and the heading: what happened. */
  title: string;
  /** Paragraphs of plain text; `inline code` in backquotes. */
  lines: string[];
  /** A command to run, shown ready to copy. */
  command?: string;
  /** A last, smaller note. */
  hint?: string;
}

/**
 * A small styled HTML page with one message, for what a browser opens outside the panel (an
 * invalid login link, the panel without a login): what happened and what to run. No script, no
 * inline style (the CSP allows neither); every piece of text is escaped.
 */
export function sendMessagePage(res: ServerResponse, status: number, page: MessagePage): void {
  if (res.headersSent) return void res.end();
  const body = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="color-scheme" content="light dark" />
    <meta name="referrer" content="no-referrer" />
    <title>${escape(page.title)} · Inlet</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="/assets/palette.css" />
    <link rel="stylesheet" href="/assets/message.css" />
  </head>
  <body>
    <main>
      <p class="brand">Inlet</p>
      <h1>${escape(page.title)}</h1>
${page.lines.map((line) => `      <p>${inline(line)}</p>`).join('\n')}
${page.command ? `      <pre>${escape(page.command)}</pre>\n` : ''}${page.hint ? `      <p class="hint">${inline(page.hint)}</p>\n` : ''}    </main>
  </body>
</html>
`;
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Content-Security-Policy': PANEL_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Escaped text with `backquoted` parts as <code>. */
function inline(text: string): string {
  return escape(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}
