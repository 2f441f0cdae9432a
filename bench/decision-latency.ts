import { Agent, request } from 'node:http';
import type { CallToolResult } from '@modelcontextprotocol/server';
import { ECHO_ARGS, ECHO_TOOL, startInProcessHub } from './inproc-hub.js';
import { ms, summarize, type LoadResult } from './stats.js';

/**
 * Decision → provider (issue 3; target: p50 under 5 ms). Policy `ask`, audit on. For each
 * sample a call enters the pending queue (ToolRouter.call, as the /mcp endpoint makes it), the
 * bench stamps performance.now() and approves it, and the in-process provider stamps the moment
 * the tools/call reaches it: same process, same clock. Two ways to decide, alternating:
 *   admin API  POST /api/approvals/{id}/approve with an admin bearer token (keep-alive
 *              connection, as the panel's fetch and `inlet approvals` make it)
 *   queue      ApprovalQueue.decide() called directly: the hub's share without HTTP
 * The API figure is also split at the moment the queue resolved the request. The bench's HTTP
 * client shares the event loop with the hub, so its reading of the answer can fall between the
 * decision and the provider's stamp: the share of samples where it did is reported.
 */
export interface DecisionPlan {
  warmup: number;
  samples: number;
}

export interface DecisionResults {
  samples: number;
  /** POST issued → provider received the call. */
  api: LoadResult;
  /** POST issued → the queue resolved the request (HTTP and the admin API's handling). */
  apiToDecided: LoadResult;
  /** The queue resolved → provider received (router, audit line, provider hop). */
  decidedToProvider: LoadResult;
  /** POST issued → its answer (200) read by the client. */
  apiAnswered: LoadResult;
  /** Share of API samples in which the client had read the answer before the provider got the call. */
  answeredFirst: number;
  /** decide() called in-process → provider received. */
  queue: LoadResult;
}

/** POSTs `{}`; resolves with the status and performance.now() when the answer was read. */
function post(agent: Agent, url: string, token: string): Promise<{ status: number; at: number }> {
  const body = '{}';
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, at: performance.now() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function runDecision(plan: DecisionPlan, say: (line: string) => void): Promise<DecisionResults> {
  const ip = await startInProcessHub({ config: { approvals: { default: 'ask' }, audit: { enabled: true } } });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const token = ip.hub.tokens.mint('admin');
    let decidedAt = 0;
    ip.hub.queue.onEvent((event) => {
      if (event === 'resolved') decidedAt = performance.now();
    });
    const samples = { api: [] as number[], apiToDecided: [] as number[], decidedToProvider: [] as number[], apiAnswered: [] as number[], queue: [] as number[] };
    let answeredFirst = 0;
    const one = async (viaApi: boolean, record: boolean) => {
      let id: string | undefined;
      const off = ip.hub.queue.onEvent((event, pending) => {
        if (event === 'added') id = pending.id;
      });
      const call = ip.router.call({ name: ECHO_TOOL, arguments: ECHO_ARGS }, { caller: 'ai:bench', signal: new AbortController().signal });
      off();
      if (!id) throw new Error('the call did not enter the pending queue (is the policy ask?)');
      // Let the hub finish its work for the new request (events, activity) before deciding.
      await new Promise((resolve) => setImmediate(resolve));
      const t0 = performance.now();
      let answeredAt = 0;
      if (viaApi) {
        const answer = await post(agent, `${ip.hub.urls.api}/approvals/${encodeURIComponent(id)}/approve`, token);
        if (answer.status !== 200) throw new Error(`the admin API answered ${answer.status} to an approval`);
        answeredAt = answer.at;
      } else {
        const decided = ip.hub.queue.decide(id, true, 'bench');
        if (!decided.ok) throw new Error(decided.message);
      }
      const result: CallToolResult = await call;
      if (result.isError) throw new Error(`tool error after approval: ${JSON.stringify(result.content)}`);
      const received = ip.lastReceived();
      if (!(received > t0)) throw new Error('the provider stamp is older than the decision');
      if (!record) return;
      if (viaApi) {
        samples.api.push(received - t0);
        samples.apiToDecided.push(decidedAt - t0);
        samples.decidedToProvider.push(received - decidedAt);
        samples.apiAnswered.push(answeredAt - t0);
        if (answeredAt < received) answeredFirst++;
      } else {
        samples.queue.push(received - t0);
      }
    };
    say(`decision latency: warming up (${plan.warmup} decisions each way)`);
    for (let i = 0; i < plan.warmup; i++) await one(i % 2 === 0, false);
    for (let i = 0; i < 2 * plan.samples; i++) await one(i % 2 === 0, true);
    const s = (values: number[]) => summarize(values, 0);
    const results: DecisionResults = {
      samples: plan.samples,
      api: s(samples.api),
      apiToDecided: s(samples.apiToDecided),
      decidedToProvider: s(samples.decidedToProvider),
      apiAnswered: s(samples.apiAnswered),
      answeredFirst: answeredFirst / plan.samples,
      queue: s(samples.queue),
    };
    say(`decision latency: admin API p50 ${ms(results.api.p50)} ms, queue alone p50 ${ms(results.queue.p50)} ms`);
    return results;
  } finally {
    agent.destroy();
    await ip.stop();
  }
}

export function decisionRows(r: DecisionResults): string[][] {
  return [
    [`decision -> provider receives the call (${r.samples} each)`, 'p50 ms', 'p99 ms'],
    ['admin API: POST .../approve issued -> provider', ms(r.api.p50), ms(r.api.p99)],
    ['  of which POST issued -> queue resolved', ms(r.apiToDecided.p50), ms(r.apiToDecided.p99)],
    ['  of which queue resolved -> provider', ms(r.decidedToProvider.p50), ms(r.decidedToProvider.p99)],
    [`admin API: POST issued -> answer read (before the provider got the call: ${Math.round(r.answeredFirst * 100)}%)`, ms(r.apiAnswered.p50), ms(r.apiAnswered.p99)],
    ['queue alone: decide() in-process -> provider', ms(r.queue.p50), ms(r.queue.p99)],
  ];
}
