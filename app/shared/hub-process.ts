/**
 * The messages between the tray app's main process and its hub process (README, Architecture: the hub
 * core runs beside main in an Electron utilityProcess, or a Node child process where that
 * cannot run). They carry life-cycle facts only; everything else goes through the admin API,
 * as it does for the panel and the CLI. Main validates what arrives (app/main/hub-messages.ts).
 */

/** Hub process → main. */
export type HubProcessMessage =
  /** The hub listens: where, and under which pid (hub.json says the same). */
  | { type: 'ready'; pid: number; dataDir: string; urls: HubProcessUrls }
  /** The hub could not start; the process exits right after this message. */
  | { type: 'failed'; code: string; message: string };

export interface HubProcessUrls {
  ws: string;
  mcp: string;
  sse: string;
  api: string;
  panel: string;
  healthz: string;
  remoteWs?: string;
}

/** Main → hub process: stop cleanly (providers get 1001, hub.json goes), then exit 0. */
export type MainToHubMessage = { type: 'stop' };
