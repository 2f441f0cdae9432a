import { watch, type FSWatcher } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { loadConfig, providerLimits, type Config } from './config/config.js';
import { describeError, HubError } from './base/errors.js';
import { RequestGuard, type ListenerInfo } from './security/http-guard.js';
import { FailureThrottle } from './security/failure-throttle.js';
import { applyCors } from './http/cors.js';
import { sendJson, sendText } from './http/http-util.js';
import { CONFIG_FILE, findRunningHub, removeHubFile, writeHubFile, type HubFile } from './discovery/hub-file.js';
import { createLogger, type Logger } from './base/log.js';
import { McpEndpoint } from './ai/mcp-endpoint.js';
import { SseEndpoint } from './ai/sse-endpoint.js';
import { Registrants } from './remote/registrants.js';
import { ProviderConnection } from './providers/provider-connection.js';
import { ProviderListener } from './providers/provider-listener.js';
import { ProtocolVerdicts } from './providers/protocol-verdicts.js';
import type { SecretStore } from './security/secret-store.js';
import { Catalog } from './catalog/catalog.js';
import { ResourceSubscriptions } from './catalog/resource-subscriptions.js';
import { ApprovalGate } from './calls/approval-gate.js';
import { ToolRouter } from './calls/tool-router.js';
import { loadOrCreateSecret, TokenService, type TokenIdentity } from './security/tokens.js';
import { CLOSE } from './providers/ws-transport.js';
import { inletCommand, VERSION, type InletCommand } from './base/version.js';
import { buildStatus, type HubStatus } from './admin/status.js';
import { closeServer, hostForUrl, listen, startProviderListener } from './http/listeners.js';
import { ControlServer } from './discovery/control-server.js';
import { AdminApi } from './admin/admin-api.js';
import { ApprovalQueue } from './calls/approval-queue.js';
import { AuditLog, verifyAudit, type AuditEntry } from './calls/audit-log.js';
import { ConfigStore } from './config/config-store.js';
import { PermissionsProvider } from './calls/permissions-tool.js';
import type { Activity } from './calls/tool-router.js';
import { randomBytes } from 'node:crypto';

export interface HubOptions {
  dataDir: string;
  secretStore: SecretStore;
  /** Overrides config.json's port (0 picks a free one). */
  port?: number;
  /** Overrides config.json's host. */
  host?: string;
  /** The control socket for the native host (app/os/control-socket-path.ts); none when absent. */
  controlSocketPath?: string;
  /** Write hub.json (default true). */
  writeDiscovery?: boolean;
  /** How other programs run `inlet` to reach this hub, shown in the panel (default: no --data-dir). */
  inletCommand?: InletCommand;
  log?: Logger;
}

export interface HubUrls {
  ws: string;
  mcp: string;
  /** The legacy HTTP+SSE endpoint (MCP-Link-style clients). */
  sse: string;
  healthz: string;
  api: string;
  /** The panel (log in through `inlet panel`'s one-time URL). */
  panel: string;
  /** The second, provider-only listener, when configured. */
  remoteWs?: string;
}

/**
 * The headless hub: one HTTP server on loopback carrying the provider socket (`/ws`, `/`), the
 * AI endpoint (`/mcp`), the admin API (`/api/…`) and `/healthz`, plus the optional second
 * provider listener from `reverse_mcp_settings`.
 */
export class Hub {
  readonly log: Logger;
  readonly catalog: Catalog;
  readonly subscriptions: ResourceSubscriptions;
  readonly startedAt = new Date();
  config!: Config;
  tokens!: TokenService;
  urls!: HubUrls;
  /** Every tools/call passes here (public for benchmarks and embedders). */
  router!: ToolRouter;
  private endpoint!: McpEndpoint;
  private sse!: SseEndpoint;
  /** Tools MCP-Link clients registered over /sse (docs/mcp-link.md). */
  private registrants!: Registrants;
  private listener!: ProviderListener;
  /** Which provider names speak 2025 only, so their reconnects skip the server/discover probe. */
  private readonly verdicts = new ProtocolVerdicts();
  private server: HttpServer | undefined;
  private remoteServer: HttpServer | undefined;
  private boundHost = '127.0.0.1';
  /** The main listener, for the Host check (its port is known once it listens). */
  private readonly mainListener: ListenerInfo = { host: '127.0.0.1', port: 0, tls: false };
  private guard!: RequestGuard;
  private throttle!: FailureThrottle;
  private watcher: FSWatcher | undefined;
  private reloadTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  private control: ControlServer | undefined;
  readonly queue: ApprovalQueue;
  admin!: AdminApi;
  private audit: AuditLog | undefined;
  private configStore!: ConfigStore;
  private readonly activityLog: Activity[] = [];
  private readonly changeListeners = new Set<() => void>();

  constructor(private readonly options: HubOptions) {
    this.log = options.log ?? createLogger('hub');
    this.catalog = new Catalog(this.log.child('catalog'));
    this.subscriptions = new ResourceSubscriptions(this.catalog, this.log.child('subscriptions'));
    this.queue = new ApprovalQueue({
      limits: () => ({ maxPending: this.config.approvals.max_pending, maxPerCaller: this.config.approvals.max_pending_per_caller }),
      log: this.log.child('approvals'),
    });
  }

  get configPath(): string {
    return join(this.options.dataDir, CONFIG_FILE);
  }

  async start(): Promise<HubUrls> {
    await mkdir(this.options.dataDir, { recursive: true, mode: 0o700 });
    const loaded = await loadConfig(this.configPath);
    for (const warning of loaded.warnings) this.log.warn(warning);
    this.config = loaded.config;
    if (this.options.writeDiscovery !== false) await this.refuseSecondHub();

    const secret = await loadOrCreateSecret(this.options.secretStore);
    this.tokens = new TokenService(secret, this.config);
    for (const name of this.tokens.unauthenticatedNames) {
      this.log.warn('tools_servers entry has an empty auth_token: any peer may connect under this name', { provider: name });
    }
    this.configStore = new ConfigStore(this.configPath, (config) => this.applyConfig(config));
    this.throttle = new FailureThrottle(this.log.child('auth'));
    this.guard = new RequestGuard(
      () => ({
        allowedHosts: this.config.reverse_mcp_settings.allowed_hosts,
        aiOrigins: this.config.ai.allowed_origins,
        panelOrigin: this.urls.mcp.replace(/\/mcp$/, ''),
      }),
      this.log.child('guard'),
    );
    this.openAudit();
    const gate = new ApprovalGate(this.queue, {
      auditing: () => this.audit !== undefined,
      audit: (entry) => this.writeAudit(entry),
      addRule: async (rule) => {
        await this.configStore.updateApprovals((a) => ({ ...a, rules: [...((a.rules as unknown[]) ?? []), rule] }));
        this.log.info('rule added from a decision', { ...rule });
      },
      activity: (activity) => {
        this.activityLog.push(activity);
        if (this.activityLog.length > 500) this.activityLog.splice(0, this.activityLog.length - 500);
        this.changed();
      },
    });
    this.router = new ToolRouter(this.catalog, () => this.config, gate);
    this.catalog.attach(new PermissionsProvider(gate, () => this.config));
    this.catalog.onChange(() => this.changed());
    this.catalog.onProviderGone((provider, reason) => {
      this.log.child('providers').info('provider disconnected', { provider: provider.name, reason });
      this.queue.failProvider(provider.name);
    });
    this.queue.onEvent((event, pending) => {
      if (event === 'added') this.log.info('call waits for approval', { caller: pending.caller, provider: pending.provider, tool: pending.tool });
      this.changed();
    });
    this.admin = new AdminApi(
      {
        status: () => this.status(),
        queue: this.queue,
        activity: () => this.activityLog,
        config: () => this.config,
        configStore: this.configStore,
        tokens: () => this.tokens,
        rotateSecret: () => this.rotateSecret(),
        verifyAudit: () => verifyAudit(this.options.dataDir),
        origin: () => this.urls.mcp.replace(/\/mcp$/, ''),
        inlet: () => this.options.inletCommand ?? inletCommand(),
        onChange: (listener) => {
          this.changeListeners.add(listener);
          return () => this.changeListeners.delete(listener);
        },
        throttle: this.throttle,
      },
      () => this.tokens.currentSecret,
    );
    const settings = this.config.reverse_mcp_settings;
    this.endpoint = new McpEndpoint({
      catalog: this.catalog,
      subscriptions: this.subscriptions,
      router: this.router,
      tokens: this.tokens,
      throttle: this.throttle,
      log: this.log.child('mcp'),
      maxBodyBytes: settings.max_frame_bytes,
      idleMs: () => this.config.ai.idle_timeout_min * 60_000,
      fastPath: process.env.INLET_MCP_FAST_PATH !== 'off',
      onClientsChanged: () => this.changed(),
    });
    this.registrants = new Registrants({
      catalog: this.catalog,
      log: this.log.child('remote'),
      progressive: (provider) => this.config.providers[provider]?.progressive_discovery === true,
    });
    this.sse = new SseEndpoint({
      tokens: this.tokens,
      throttle: this.throttle,
      catalog: this.catalog,
      registrants: this.registrants,
      // Tests shorten it to see a keep-alive without waiting 15 s.
      keepAliveMs: Number(process.env.INLET_SSE_KEEPALIVE_MS) || undefined,
      createServer: this.endpoint.createServer,
      log: this.log.child('sse'),
      maxBodyBytes: settings.max_frame_bytes,
      onClientsChanged: () => this.changed(),
    });
    this.boundHost = this.options.host ?? this.config.host;
    this.mainListener.host = this.boundHost;
    this.listener = new ProviderListener({
      tokens: this.tokens,
      maxFrameBytes: settings.max_frame_bytes,
      guard: this.guard,
      throttle: this.throttle,
      holder: (name) => this.catalog.provider(name)?.owner,
      log: this.log.child('providers'),
      onConnection: (socket, name, identity, req) => this.acceptProvider(socket, name, identity, req),
    });

    this.server = createServer((req, res) => this.route(req, res));
    this.server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head, this.mainListener));
    this.server.on('clientError', (_error, socket) => socket.destroy());
    this.server.keepAliveTimeout = 65_000;
    const port = await listen(this.server, this.options.port ?? this.config.port, this.boundHost);
    this.mainListener.port = port;
    const base = `${hostForUrl(this.boundHost)}:${port}`;
    this.urls = { ws: `ws://${base}/ws`, mcp: `http://${base}/mcp`, sse: `http://${base}/sse`, healthz: `http://${base}/healthz`, api: `http://${base}/api`, panel: `http://${base}/` };

    if (settings.enabled && settings.listen_host) this.urls.remoteWs = await this.startRemoteListener(this.config);

    if (this.options.controlSocketPath) {
      this.control = new ControlServer({
        path: this.options.controlSocketPath,
        mint: (clientId) => this.tokens.mint(clientId),
        isRevoked: (clientId) => this.tokens.isRevoked(clientId),
        urls: () => ({ ws: this.urls.ws, mcp: this.urls.mcp, sse: this.urls.sse }),
        log: this.log.child('control'),
      });
      try {
        await this.control.start();
      } catch (error) {
        await closeServer(this.server);
        throw error;
      }
    }

    if (this.options.writeDiscovery !== false) {
      const file: HubFile = { pid: process.pid, version: VERSION, startedAt: this.startedAt.toISOString(), urls: { ...this.urls } };
      await writeHubFile(this.options.dataDir, file);
    }
    this.watchConfig();
    this.log.info('hub listening', { mcp: this.urls.mcp, ws: this.urls.ws, remote: this.urls.remoteWs });
    return this.urls;
  }

  /** Mints a token with this hub's secret (used by `inlet serve` to print a ready config). */
  mintToken(clientId: string): string {
    return this.tokens.mint(clientId);
  }

  status(): HubStatus {
    return buildStatus(this, [...this.endpoint.listSessions(), ...this.sse.list()]);
  }

  /**
   * Clean shutdown: providers get a close frame (1001), AI calls in flight get their error
   * (the provider closing fails them), then sessions and listeners close and hub.json goes.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.watcher?.close();
      if (this.reloadTimer) clearTimeout(this.reloadTimer);
      this.queue.closeAll();
      for (const provider of this.catalog.allProviders()) provider.close(CLOSE.GOING_AWAY, 'the hub is shutting down');
      this.registrants?.closeAll();
      // Let the tool errors of failed calls reach their AI clients before the sessions close.
      await new Promise((resolve) => setTimeout(resolve, 50));
      await Promise.all([this.endpoint?.stop(), this.sse?.closeAll()]);
      this.listener?.close();
      await Promise.all([closeServer(this.server), closeServer(this.remoteServer), this.control?.close()]);
      if (this.options.writeDiscovery !== false) await removeHubFile(this.options.dataDir, process.pid).catch(() => undefined);
      this.audit?.close();
      this.log.info('hub stopped');
    })();
    return this.stopping;
  }

  private applyConfig(config: Config): void {
    const auditChanged = config.audit.enabled !== this.config?.audit.enabled;
    this.config = config;
    this.tokens?.applyConfig(config);
    if (auditChanged && this.tokens) this.openAudit();
    this.changed();
  }

  private openAudit(): void {
    this.audit?.close();
    this.audit = undefined;
    if (!this.config.audit.enabled) return;
    this.audit = new AuditLog(this.options.dataDir, this.config.audit.max_file_bytes, this.log.child('audit'));
    this.audit.open();
  }

  private writeAudit(entry: AuditEntry): void {
    try {
      this.audit?.append(entry);
    } catch (error) {
      this.log.error('audit.jsonl could not be written', { error: describeError(error) });
    }
  }

  private changed(): void {
    for (const listener of this.changeListeners) listener();
  }

  /** A new install secret: every token stops working, so every provider and AI session is cut off. */
  private async rotateSecret(): Promise<void> {
    const secret = randomBytes(32);
    await this.options.secretStore.set(secret);
    this.tokens.setSecret(secret);
    for (const provider of this.catalog.allProviders()) provider.close(CLOSE.REVOKED, 'the install secret was rotated');
    await Promise.all([this.endpoint.closeAll(), this.sse.closeAll()]);
    this.admin.closeStreams();
    this.log.warn('install secret rotated: every token was revoked');
    this.changed();
  }

  private async refuseSecondHub(): Promise<void> {
    try {
      const other = await findRunningHub(this.options.dataDir, 1_000);
      if (other.pid !== process.pid) {
        throw new HubError('LISTEN_FAILED', `Another hub is already running for ${this.options.dataDir} (pid ${other.pid}, ${other.urls.mcp}).`);
      }
    } catch (error) {
      if (error instanceof HubError && error.code === 'HUB_NOT_RUNNING') return;
      throw error;
    }
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    if (path === '/healthz' || path === '/health') return sendText(res, 200, 'ok');
    const ai = path === '/mcp' || path === '/sse' || path.startsWith('/messages');
    const refused = this.guard.check(req, this.mainListener, ai ? 'ai' : 'admin');
    if (refused) return sendText(res, 403, `Forbidden: ${refused}.`);
    if (ai && applyCors(req, res)) return;
    if (path === '/mcp') {
      this.endpoint.handle(req, res).catch((error) => {
        this.log.error('AI endpoint failed', { error: describeError(error) });
        if (!res.headersSent) sendJson(res, 500, { jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null });
        else res.end();
      });
      return;
    }
    if (path === '/sse' || path.startsWith('/messages')) {
      this.sse.handle(req, res).catch((error) => {
        this.log.error('SSE endpoint failed', { error: describeError(error) });
        if (!res.headersSent) sendJson(res, 500, { error: 'Internal error' });
        else res.end();
      });
      return;
    }
    this.admin.handle(req, res, path).then(
      (handled) => {
        if (!handled) sendText(res, 404, 'Not found.');
      },
      (error) => {
        this.log.error('admin API failed', { error: describeError(error) });
        if (!res.headersSent) sendJson(res, 500, { error: 'Internal error' });
        else res.end();
      },
    );
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, listener: ListenerInfo): void {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    if (path !== '/ws' && path !== '/') {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    this.listener.handleUpgrade(req, socket, head, listener);
  }

  private acceptProvider(socket: WebSocket, name: string, identity: TokenIdentity, req: IncomingMessage): void {
    const log = this.log.child('providers');
    // The listener checked the holder before the upgrade; a connection that won a race with
    // another client for the same name is turned away here rather than replacing it.
    const holder = this.catalog.provider(name);
    if (holder && holder.owner !== identity.clientId) {
      log.warn('provider refused: the name is held by another client', { provider: name, client: identity.clientId, holder: holder.owner });
      socket.close(CLOSE.POLICY, `provider "${name}" is connected under another identity`);
      return;
    }
    const connection = new ProviderConnection(socket, {
      name,
      identity,
      remoteAddress: req.socket.remoteAddress ?? '',
      heartbeatMs: this.config.reverse_mcp_settings.heartbeat_s * 1000,
      limits: providerLimits(this.config.reverse_mcp_settings),
      verdicts: this.verdicts,
      log,
    });
    const previous = this.catalog.attach(connection);
    if (previous) {
      log.info('provider replaced by a new connection', { provider: name });
      previous.close(CLOSE.REPLACED, 'replaced by a new connection with the same name');
    }
    log.info('provider connected', { provider: name, client: identity.clientId, remote: connection.remoteAddress });
    connection.start().then(
      () => log.info('provider ready', { provider: name, protocol: connection.protocol, tools: connection.tools.length }),
      () => undefined,
    );
  }

  private async startRemoteListener(config: Config): Promise<string> {
    const { server, url } = await startProviderListener(config.reverse_mcp_settings, (req, socket, head, listener) => this.upgrade(req, socket, head, listener));
    this.remoteServer = server;
    return url;
  }

  private watchConfig(): void {
    try {
      this.watcher = watch(this.options.dataDir, (_event, file) => {
        if (file !== CONFIG_FILE) return;
        if (this.reloadTimer) clearTimeout(this.reloadTimer);
        this.reloadTimer = setTimeout(() => void this.reloadConfig(), 100);
      });
      this.watcher.on('error', () => undefined);
    } catch (error) {
      this.log.warn('config.json will not be reloaded automatically', { error: describeError(error) });
    }
  }

  /** Applies a changed config.json; a broken file is reported and the running config kept. */
  async reloadConfig(): Promise<void> {
    let config: Config;
    try {
      config = (await loadConfig(this.configPath)).config;
    } catch (error) {
      this.log.error(`${describeError(error)} The hub keeps its previous settings.`);
      return;
    }
    this.applyConfig(config);
    for (const provider of this.catalog.allProviders()) {
      if (provider instanceof ProviderConnection && !this.tokens.stillValid(provider.identity, provider.name)) {
        this.log.info('provider token revoked; disconnecting', { provider: provider.name });
        provider.close(CLOSE.REVOKED, 'token revoked');
      }
    }
    this.log.info('config reloaded');
  }
}
