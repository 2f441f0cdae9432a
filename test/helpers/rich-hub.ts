import { dialRichProvider, type RichProvider } from '../fixtures/rich-provider.js';
import { connectAi, names, startHub, type RunningHub } from './hub-process.js';

export interface RichHub {
  hub: RunningHub;
  provider: RichProvider;
  /** Closes the provider, then stops the hub. */
  stop(): Promise<void>;
}

/**
 * A hub logging at info (the tests read its session lines) with the rich provider dialled in as
 * `rich`, resolved once an AI client sees its tools: what the real-client tests run against.
 */
export async function startRichHub(): Promise<RichHub> {
  const hub = await startHub({ env: { INLET_LOG: 'info' } });
  const watcher = await connectAi(hub, 'ai:watcher');
  const provider = await dialRichProvider(`${hub.urls.ws}?server_name=rich&token=${encodeURIComponent(await hub.mint('provider:rich'))}`);
  await watcher.waitForTools((tools) => names(tools).includes('rich__rich'));
  await watcher.close();
  return {
    hub,
    provider,
    async stop() {
      await provider.close();
      await hub.stop();
    },
  };
}
