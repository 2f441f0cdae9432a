import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

interface RpcAnswer {
  id: number;
  result?: unknown;
  error?: { code: number; message: string };
}

/**
 * `codex app-server`: Codex's own JSON-RPC protocol on stdio (one JSON object a line), the one
 * its IDE extensions use. Only what the tests ask is typed here; the messages are Codex's
 * (`codex app-server generate-ts` prints the whole protocol).
 */
export class CodexAppServer {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, (answer: RpcAnswer) => void>();
  private nextId = 0;
  private stderr = '';
  private readonly exited: Promise<number | null>;
  /** Notifications (and requests) Codex sent, in order: method and params. */
  readonly notifications: Array<{ method: string; params: unknown }> = [];

  constructor(codex: string, args: string[], env: NodeJS.ProcessEnv, cwd: string) {
    this.child = spawn(codex, ['app-server', ...args], { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    void this.exited.then((code) => {
      for (const [id, answer] of this.pending) answer({ id, error: { code: -1, message: `codex app-server exited (${code}): ${this.stderr}` } });
      this.pending.clear();
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const message = JSON.parse(line) as RpcAnswer & { method?: string; params?: unknown };
      // Requests from Codex (approvals and the like) are listed with the notifications: the tests
      // ask nothing that needs one answered.
      if (message.method !== undefined) return void this.notifications.push({ method: message.method, params: message.params });
      this.pending.get(message.id)?.(message);
      this.pending.delete(message.id);
    });
  }

  /** Sends a request and resolves with its result; an error answer rejects with Codex's message. */
  async request<T>(method: string, params: unknown): Promise<T> {
    const id = ++this.nextId;
    const answer = await new Promise<RpcAnswer>((resolve) => {
      this.pending.set(id, resolve);
      this.child.stdin!.write(JSON.stringify({ id, method, params }) + '\n');
    });
    if (answer.error) throw new Error(`codex app-server answered ${method} with ${answer.error.code}: ${answer.error.message}`);
    return answer.result as T;
  }

  /** The handshake every app-server client makes first. */
  async initialize(): Promise<void> {
    await this.request('initialize', { clientInfo: { name: 'inlet-test', title: null, version: '1.0.0' }, capabilities: { experimentalApi: true, requestAttestation: false } });
    this.child.stdin!.write(JSON.stringify({ method: 'initialized' }) + '\n');
  }

  /** Ends the app server as its clients do (stdin closed) and resolves with its exit code. */
  async close(): Promise<number | null> {
    this.child.stdin!.end();
    return this.exited;
  }
}

/**
 * A CODEX_HOME config: Inlet as a streamable-HTTP MCP server whose bearer token Codex reads from
 * the environment variable INLET_TOKEN (Codex refuses `bearer_token` in the file), and a model
 * provider at `modelUrl`, a loopback port that refuses: nothing here asks a model.
 */
export async function writeCodexConfig(codexHome: string, mcpUrl: string, modelUrl: string): Promise<void> {
  const toml = [
    'model_provider = "loopback"',
    'model = "inlet-test"',
    'check_for_update_on_startup = false',
    'suppress_unstable_features_warning = true',
    '',
    '[model_providers.loopback]',
    'name = "loopback"',
    `base_url = ${JSON.stringify(modelUrl)}`,
    'wire_api = "responses"',
    '',
    '[analytics]',
    'enabled = false',
    '',
    '[mcp_servers.inlet]',
    `url = ${JSON.stringify(mcpUrl)}`,
    'bearer_token_env_var = "INLET_TOKEN"',
    '',
  ].join('\n');
  await writeFile(join(codexHome, 'config.toml'), toml);
}
