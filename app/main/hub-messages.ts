import { z } from 'zod';
import type { HubProcessMessage } from '../shared/hub-process.js';

/**
 * What the hub process may say to main (app/shared/hub-process.ts), checked as it arrives: the
 * process boundary is a trust boundary like any other, and a message main cannot read is
 * logged and dropped rather than acted on.
 */
const loopbackUrl = z.url();

export const HubProcessMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('ready'),
    pid: z.number().int().positive(),
    dataDir: z.string().min(1),
    urls: z.strictObject({
      ws: loopbackUrl,
      mcp: loopbackUrl,
      sse: loopbackUrl,
      api: loopbackUrl,
      panel: loopbackUrl,
      healthz: loopbackUrl,
      remoteWs: loopbackUrl.optional(),
    }),
  }),
  z.strictObject({ type: z.literal('failed'), code: z.string().max(100), message: z.string().max(2000) }),
]);

// The schema and the shared type must describe the same messages.
type Parsed = z.infer<typeof HubProcessMessageSchema>;
const _sameShape: [Parsed extends HubProcessMessage ? true : false, HubProcessMessage extends Parsed ? true : false] = [true, true];
void _sameShape;

export function parseHubMessage(message: unknown): HubProcessMessage | undefined {
  const result = HubProcessMessageSchema.safeParse(message);
  return result.success ? result.data : undefined;
}
