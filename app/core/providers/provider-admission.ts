import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import type { Logger } from '../base/log.js';
import type { Catalog } from '../catalog/catalog.js';
import { providerLimits, type Config } from '../config/config.js';
import type { TokenIdentity, TokenService } from '../security/tokens.js';
import type { ClientRequests } from '../calls/client-requests.js';
import { ProtocolVerdicts } from './protocol-verdicts.js';
import { ProviderConnection } from './provider-connection.js';
import { CLOSE } from './ws-transport.js';

/**
 * Turns an authenticated WebSocket into a provider in the catalog: refuses one that lost a race
 * for its name to another client, replaces the same client's older connection (the new one
 * survives), and starts the handshake. Also disconnects providers whose token stopped being valid.
 */
export class ProviderAdmission {
  /** Which provider names speak 2025 only, so their reconnects skip the server/discover probe. */
  private readonly verdicts = new ProtocolVerdicts();
  private requests: ClientRequests | undefined;
  private onLog: (() => void) | undefined;

  constructor(
    private readonly catalog: Catalog,
    private readonly config: () => Config,
    private readonly log: Logger,
  ) {}

  /** Where providers' requests to the calling AI client go, and who hears of a new log line. */
  relayTo(requests: ClientRequests, onLog: () => void): void {
    this.requests = requests;
    this.onLog = onLog;
  }

  accept(socket: WebSocket, name: string, identity: TokenIdentity, req: IncomingMessage): void {
    const log = this.log;
    // The listener checked the holder before the upgrade; a connection that won a race with
    // another client for the same name is turned away here rather than replacing it.
    const holder = this.catalog.provider(name);
    if (holder && holder.owner !== identity.clientId) {
      log.warn('provider refused: the name is held by another client', { provider: name, client: identity.clientId, holder: holder.owner });
      socket.close(CLOSE.POLICY, `provider "${name}" is connected under another identity`);
      return;
    }
    const settings = this.config().reverse_mcp_settings;
    const connection = new ProviderConnection(socket, {
      name,
      identity,
      remoteAddress: req.socket.remoteAddress ?? '',
      heartbeatMs: settings.heartbeat_s * 1000,
      limits: providerLimits(settings),
      verdicts: this.verdicts,
      requests: this.requests,
      log,
    });
    connection.relay.onLog = this.onLog;
    const previous = this.catalog.attach(connection);
    if (previous) {
      log.info('provider replaced by a new connection', { provider: name });
      previous.close(CLOSE.REPLACED, 'replaced by a new connection with the same name');
    }
    log.info('provider connected', { provider: name, client: identity.clientId, remote: connection.remoteAddress });
    connection.start().then(
      () => log.info('provider ready', { provider: name, protocol: connection.protocol, tools: connection.tools.length, resources: connection.resources.length, prompts: connection.prompts.length }),
      () => undefined,
    );
  }

  /** After a config change: providers whose token was revoked are disconnected. */
  closeRevoked(tokens: TokenService): void {
    for (const provider of this.catalog.allProviders()) {
      if (provider instanceof ProviderConnection && !tokens.stillValid(provider.identity, provider.name)) {
        this.log.info('provider token revoked; disconnecting', { provider: provider.name });
        provider.close(CLOSE.REVOKED, 'token revoked');
      }
    }
  }

  /** Closes every provider (shutdown, secret rotation). */
  closeAll(code: number, reason: string): void {
    for (const provider of this.catalog.allProviders()) provider.close(code, reason);
  }
}
