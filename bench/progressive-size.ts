import { join } from 'node:path';
import { httpClient } from './clients.js';
import { startHub } from './hub.js';
import { childEnv, INLET_BIN, ROOT, sleep, spawnNode, stopChild } from './procs.js';

/**
 * What progressive discovery saves an AI client's context (docs/progressive-discovery.md): the
 * same real stdio server (@modelcontextprotocol/server-everything) bridged in twice, once as it
 * is and once opted in, and the bytes of each one's share of one tools/list as the AI client
 * reads it. Also the bytes of one `readme` answer: what a client pays again for each tool it uses.
 */
export interface ProgressiveSizeResults {
  tools: number;
  plainBytes: number;
  wrappedBytes: number;
  /** wrappedBytes / plainBytes: the listing's cost with progressive discovery, per byte without. */
  ratio: number;
  /** The largest single readme answer's text (the tool with the biggest schema). */
  readmeMaxBytes: number;
  readmeMeanBytes: number;
}

const EVERYTHING = join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

export async function runProgressiveSize(say: (line: string) => void): Promise<ProgressiveSizeResults> {
  const hub = await startHub('progressive', {
    config: { approvals: { default: 'allow' }, providers: { wrapped: { progressive_discovery: true } } },
  });
  const bridges = ['plain', 'wrapped'].map((name) =>
    spawnNode([INLET_BIN, 'bridge', '--name', name, '--', process.execPath, EVERYTHING], { label: `bridge (${name})`, env: childEnv({ INLET_HOME: hub.home }) }),
  );
  const ai = await httpClient(hub.urls.mcp, hub.mint('ai:bench'));
  try {
    const deadline = Date.now() + 30_000;
    let tools: Array<{ name: string }> = [];
    const share = (prefix: string) => tools.filter((t) => t.name.startsWith(prefix));
    for (;;) {
      tools = (await ai.client.listTools()).tools;
      if (share('plain__').length > 0 && share('plain__').length === share('wrapped__').length) break;
      if (Date.now() > deadline) throw new Error(`server-everything was not listed twice within 30 s: ${tools.map((t) => t.name).join(', ')}`);
      await sleep(100);
    }
    const plain = share('plain__');
    const wrapped = share('wrapped__');
    const readmes: number[] = [];
    for (const tool of wrapped) {
      const answer = await ai.client.callTool({ name: tool.name, arguments: { input: { operation: 'readme' } } });
      const text = (answer.content as Array<{ text?: string }>).map((c) => c.text ?? '').join('');
      readmes.push(Buffer.byteLength(text));
    }
    const plainBytes = Buffer.byteLength(JSON.stringify(plain));
    const wrappedBytes = Buffer.byteLength(JSON.stringify(wrapped));
    const result: ProgressiveSizeResults = {
      tools: plain.length,
      plainBytes,
      wrappedBytes,
      ratio: wrappedBytes / plainBytes,
      readmeMaxBytes: Math.max(...readmes),
      readmeMeanBytes: readmes.reduce((a, b) => a + b, 0) / readmes.length,
    };
    say(`  ${result.tools} tools: ${plainBytes} bytes listed as they are, ${wrappedBytes} wrapped (${result.ratio.toFixed(2)}x)`);
    return result;
  } finally {
    await ai.close();
    await Promise.all(bridges.map((bridge) => stopChild(bridge.proc)));
    await hub.stop();
  }
}

export function progressiveRows(r: ProgressiveSizeResults): string[][] {
  return [
    ['progressive discovery (server-everything)', 'value'],
    ['tools', String(r.tools)],
    ['tools/list share, listed as they are', `${r.plainBytes} B`],
    ['tools/list share, wrapped', `${r.wrappedBytes} B (${r.ratio.toFixed(2)}x)`],
    ['one readme answer, mean / largest', `${Math.round(r.readmeMeanBytes)} B / ${r.readmeMaxBytes} B`],
  ];
}
