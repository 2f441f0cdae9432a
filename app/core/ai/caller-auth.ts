import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../base/log.js';
import { sendJson } from '../http/http-util.js';
import type { FailureThrottle } from '../security/failure-throttle.js';
import type { CallerSurface } from '../security/roles.js';
import type { TokenIdentity, TokenService } from '../security/tokens.js';

export interface CallerAuth {
  tokens: TokenService;
  throttle: FailureThrottle;
  log: Logger;
}

/**
 * Who calls on an AI surface (`/mcp`, `/sse`), by the token's role (roles.ts). A refusal is
 * answered here: 401 for a bad or missing token (429 with Retry-After once an address keeps
 * failing), 403 for a token of another role. `body` shapes the surface's error answer.
 */
export function authorizeIdentity(
  auth: CallerAuth,
  req: IncomingMessage,
  res: ServerResponse,
  token: string | undefined,
  surface: CallerSurface,
  body: (message: string) => unknown,
): TokenIdentity | undefined {
  const result = auth.tokens.authorizeCaller(token, surface);
  if (result.ok) return result.identity;
  if (result.status === 401) {
    const retryAfter = auth.throttle.fail(req.socket.remoteAddress, `/${surface}`);
    if (retryAfter) {
      res.setHeader('Retry-After', String(retryAfter));
      sendJson(res, 429, body('Too many failed attempts from this address: wait and try again.'));
      return undefined;
    }
    res.setHeader('WWW-Authenticate', 'Bearer realm="inlet"');
  }
  auth.log.info('AI client refused', { surface: `/${surface}`, reason: result.reason });
  sendJson(res, result.status, body(`${result.status === 401 ? 'Unauthorized' : 'Forbidden'}: ${result.message}`));
  return undefined;
}
