import { mkdir } from 'node:fs/promises';
import { createServer, type Server as HttpServer } from 'node:http';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from './config/config.js';
import { ConfigWatcher } from './config/config-watcher.js';
import { ConfigStore } from './config/config-store.js';
import { RequestGuard, type ListenerInfo } from './security/http-guard.js';
import { FailureThrottle } from './security/failure-throttle.js';
import { loadOrCreateSecret, TokenService } from './security/tokens.js';
import type { SecretStore } from './security/secret-store.js';
import { CONFIG_FILE, refuseSecondHub, removeHubFile, writeHubFile, type HubFile } from './discovery/hub-file.js';
import { ControlServer } from './discovery/control-server.js';
import { createLogger, type Logger } from './base/log.js';
import { inletCommand, VERSION, type InletCommand } from './base/version.js';
import { McpEndpoint } from './ai/mcp-endpoint.js';
import { SseEndpoint } from './ai/sse-endpoint.js';
import { Registrants } from './remote/registrants.js';
import { ProviderListener } from './providers/provider-listener.js';
import { ProviderAdmission } from './providers/provider-admission.js';
import { CLOSE } from './providers/ws-transport.js';
import { Catalog } from './catalog/catalog.js';
import { ProgressiveDiscovery } from './catalog/progressive-discovery.js';
import { ResourceSubscriptions } from './catalog/resource-subscriptions.js';
import { ApprovalGate, type RouterHooks } from './calls/approval-gate.js';
import { ClientRequests } from './calls/client-requests.js';
import { ApprovalQueue } from './calls/approval-queue.js';
import { AuditSink } from './calls/audit-sink.js';
import { verifyAudit } from './calls/audit-log.js';
import { PermissionsProvider } from './calls/permissions-tool.js';
import { ToolRouter } from './calls/tool-router.js';
import { buildStatus, type HubStatus } from './admin/status.js';
import { AdminApi } from './admin/admin-api.js';
import { HubFeed } from './admin/hub-feed.js';
import { routeRequest, routeUpgrade, type HubRoutes } from './http/hub-routes.js';
import { closeServer, hostForUrl, listen, startProviderListener } from './http/listeners.js';

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
 * The headless hub, as wiring only: it builds the parts (catalog, router and approvals, the AI
 * endpoints, the provider listener, the admin API, discovery) and connects them; each part's
 * behaviour lives in its own folder. One HTTP server on loopback carries the provider socket
 * (`/ws`, `/`), the AI endpoints (`/mcp`, `/sse`), the admin API and the panel, and `/healthz`
 * (http/hub-routes.ts), plus the optional second provider listener from `reverse_mcp_settings`.
 */
export class Hub {
  readonly log: Logger;
  readonly catalog: Catalog;
  readonly subscriptions: ResourceSubscriptions;
  readonly startedAt = new Date();
  readonly queue: ApprovalQueue;
  config!: Config;
  tokens!: TokenService;
  urls!: HubUrls;
  /** Every tools/call passes here (public for benchmarks and embedders). */
  router!: ToolRouter;
  admin!: AdminApi;
  private readonly feed = new HubFeed();
  private readonly audit: AuditSink;
  private readonly admission: ProviderAdmission;
  private routes!: HubRoutes;
  private configStore!: ConfigStore;
  private watcher!: ConfigWatcher;
  /** Tools MCP-Link clients registered over /sse (docs/mcp-link.md). */
  private registrants!: Registrants;
  private server: HttpServer | undefined;
  private remoteServer: HttpServer | undefined;
  /** The main listener, for the Host check (its port is known once it listens). */
  private readonly mainListener: ListenerInfo = { host: '127.0.0.1', port: 0, tls: false };
  private control: ControlServer | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: HubOptions) {
    this.log = options.log ?? createLogger('hub');
    this.catalog = new Catalog(
      this.log.child('catalog'),
      new ProgressiveDiscovery((provider) => this.config.providers[provider]?.progressive_discovery === true),
    );
    this.subscriptions = new ResourceSubscriptions(this.catalog, this.log.child('subscriptions'));
    this.audit = new AuditSink(options.dataDir, this.log.child('audit'));
    this.admission = new ProviderAdmission(this.catalog, () => this.config, this.log.child('providers'));
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
    if (this.options.writeDiscovery !== false) await refuseSecondHub(this.options.dataDir);

    this.tokens = new TokenService(await loadOrCreateSecret(this.options.secretStore), this.config);
    for (const name of this.tokens.unauthenticatedNames) {
      this.log.warn('tools_servers entry has an empty auth_token: any peer may connect under this name', { provider: name });
    }
    this.configStore = new ConfigStore(this.configPath, (config) => this.applyConfig(config));
    this.watcher = new ConfigWatcher(this.options.dataDir, CONFIG_FILE, this.configPath, (config) => this.reloaded(config), this.log, (task) => this.configStore.exclusive(task));
    const throttle = new FailureThrottle(this.log.child('auth'));
    const guard = new RequestGuard(
      () => ({
        allowedHosts: this.config.reverse_mcp_settings.allowed_hosts,
        aiOrigins: this.config.ai.allowed_origins,
        panelOrigin: this.urls.mcp.replace(/\/mcp$/, ''),
      }),
      this.log.child('guard'),
    );
    this.audit.apply(this.config.audit);

    const hooks: RouterHooks = {
      auditing: () => this.audit.enabled,
      audit: (entry) => this.audit.write(entry),
      addRule: async (rule) => {
        await this.configStore.updateApprovals((a) => ({ ...a, rules: [...((a.rules as unknown[]) ?? []), rule] }));
        this.log.info('rule added from a decision', { ...rule });
      },
      activity: (activity) => this.feed.record(activity),
    };
    const gate = new ApprovalGate(this.queue, hooks);
    // A provider's requests to the calling AI client (sampling, elicitation, roots) pass the same
    // policy, queue and audit log as calls; the activity list numbers both.
    this.admission.relayTo(new ClientRequests(() => this.config, this.queue, { ...hooks, activity: (activity) => gate.activity(activity) }), () => this.feed.changed());
    this.router = new ToolRouter(this.catalog, () => this.config, gate);
    this.catalog.attach(new PermissionsProvider(gate, () => this.config));
    this.catalog.onChange(() => this.feed.changed());
    this.catalog.onProviderGone((provider, reason) => {
      this.log.child('providers').info('provider disconnected', { provider: provider.name, reason });
      this.queue.failProvider(provider.name);
    });
    this.queue.onEvent((event, pending) => {
      if (event === 'added') this.log.info('call waits for approval', { caller: pending.caller, provider: pending.provider, tool: pending.tool });
      this.feed.changed();
    });

    this.admin = new AdminApi(
      {
        status: () => this.status(),
        queue: this.queue,
        activity: () => this.feed.activity,
        config: () => this.config,
        configStore: this.configStore,
        tokens: () => this.tokens,
        rotateSecret: () => this.rotateSecret(),
        verifyAudit: () => verifyAudit(this.options.dataDir),
        origin: () => this.urls.mcp.replace(/\/mcp$/, ''),
        inlet: () => this.options.inletCommand ?? inletCommand(),
        onChange: (listener) => this.feed.onChange(listener),
        throttle,
      },
      () => this.tokens.currentSecret,
    );
    const settings = this.config.reverse_mcp_settings;
    const endpoint = new McpEndpoint({
      catalog: this.catalog,
      subscriptions: this.subscriptions,
      router: this.router,
      tokens: this.tokens,
      throttle,
      log: this.log.child('mcp'),
      maxBodyBytes: settings.max_frame_bytes,
      idleMs: () => this.config.ai.idle_timeout_min * 60_000,
      fastPath: process.env.INLET_MCP_FAST_PATH !== 'off',
      onClientsChanged: () => this.feed.changed(),
    });
    this.registrants = new Registrants({
      catalog: this.catalog,
      log: this.log.child('remote'),
    });
    const sse = new SseEndpoint({
      tokens: this.tokens,
      throttle,
      catalog: this.catalog,
      registrants: this.registrants,
      // Tests shorten it to see a keep-alive without waiting 15 s.
      keepAliveMs: Number(process.env.INLET_SSE_KEEPALIVE_MS) || undefined,
      createServer: endpoint.createServer,
      log: this.log.child('sse'),
      maxBodyBytes: settings.max_frame_bytes,
      onClientsChanged: () => this.feed.changed(),
    });
    const providers = new ProviderListener({
      tokens: this.tokens,
      maxFrameBytes: settings.max_frame_bytes,
      guard,
      throttle,
      holder: (name) => this.catalog.provider(name)?.owner,
      log: this.log.child('providers'),
      onConnection: (socket, name, identity, req) => this.admission.accept(socket, name, identity, req),
    });
    this.routes = { guard, listener: this.mainListener, endpoint, sse, admin: this.admin, providers, log: this.log };

    const boundHost = this.options.host ?? this.config.host;
    this.mainListener.host = boundHost;
    this.server = createServer((req, res) => routeRequest(this.routes, req, res));
    this.server.on('upgrade', (req, socket, head) => routeUpgrade(providers, req, socket, head, this.mainListener));
    this.server.on('clientError', (_error, socket) => socket.destroy());
    this.server.keepAliveTimeout = 65_000;
    const port = await listen(this.server, this.options.port ?? this.config.port, boundHost);
    this.mainListener.port = port;
    const base = `${hostForUrl(boundHost)}:${port}`;
    this.urls = { ws: `ws://${base}/ws`, mcp: `http://${base}/mcp`, sse: `http://${base}/sse`, healthz: `http://${base}/healthz`, api: `http://${base}/api`, panel: `http://${base}/` };

    if (settings.enabled && settings.listen_host) {
      const remote = await startProviderListener(settings, (req, socket, head, listener) => routeUpgrade(providers, req, socket, head, listener));
      this.remoteServer = remote.server;
      this.urls.remoteWs = remote.url;
    }

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
    this.watcher.start();
    this.log.info('hub listening', { mcp: this.urls.mcp, ws: this.urls.ws, remote: this.urls.remoteWs });
    return this.urls;
  }

  /** Mints a token with this hub's secret (used by `inlet serve` to print a ready config). */
  mintToken(clientId: string): string {
    return this.tokens.mint(clientId);
  }

  status(): HubStatus {
    return buildStatus(this, [...this.routes.endpoint.listSessions(), ...this.routes.sse.list()]);
  }

  /**
   * Clean shutdown: providers get a close frame (1001), AI calls in flight get their error
   * (the provider closing fails them), then sessions and listeners close and hub.json goes.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.watcher?.stop();
      this.queue.closeAll();
      this.admission.closeAll(CLOSE.GOING_AWAY, 'the hub is shutting down');
      this.registrants?.closeAll();
      // Let the tool errors of failed calls reach their AI clients before the sessions close.
      await new Promise((resolve) => setTimeout(resolve, 50));
      await Promise.all([this.routes?.endpoint.stop(), this.routes?.sse.closeAll()]);
      this.routes?.providers.close();
      await Promise.all([closeServer(this.server), closeServer(this.remoteServer), this.control?.close()]);
      if (this.options.writeDiscovery !== false) await removeHubFile(this.options.dataDir, process.pid).catch(() => undefined);
      this.audit.close();
      this.log.info('hub stopped');
    })();
    return this.stopping;
  }

  /** Applies a changed config.json now (it is also followed on disk); a broken file keeps the running config. */
  reloadConfig(): Promise<void> {
    return this.watcher.reload();
  }

  private applyConfig(config: Config): void {
    this.config = config;
    this.tokens?.applyConfig(config);
    if (this.tokens) this.audit.apply(config.audit);
    this.catalog.relistChangedForms();
    this.feed.changed();
  }

  private reloaded(config: Config): void {
    this.applyConfig(config);
    this.admission.closeRevoked(this.tokens);
    this.routes.sse.closeRevoked((clientId) => this.tokens.isRevoked(clientId));
  }

  /** A new install secret: every token stops working, so every provider and AI session is cut off. */
  private async rotateSecret(): Promise<void> {
    const secret = randomBytes(32);
    await this.options.secretStore.set(secret);
    this.tokens.setSecret(secret);
    this.admission.closeAll(CLOSE.REVOKED, 'the install secret was rotated');
    await Promise.all([this.routes.endpoint.closeAll(), this.routes.sse.closeAll()]);
    this.admin.closeStreams();
    this.log.warn('install secret rotated: every token was revoked');
    this.feed.changed();
  }
}
