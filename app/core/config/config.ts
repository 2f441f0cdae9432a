import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { HubError } from '../base/errors.js';
import { ApprovalSettingsSchema } from '../calls/policy.js';

/**
 * `config.json`: the user's settings. CleverChatty's `reverse_mcp_settings` and `tools_servers`
 * keys are accepted exactly as CleverChatty writes them (so one file can serve both), plus
 * Inlet's own keys. Unknown top-level keys are kept and reported as warnings, not errors: a
 * CleverChatty config carries many keys that mean nothing to Inlet.
 */

const PortSchema = z.number().int().min(0).max(65535);
const HostNameSchema = z
  .string()
  .regex(/^(\[[0-9A-Fa-f:.]+\]|[^:[\]\s/]+)(:\d{1,5})?$/, 'must be a host name or IP, optionally with ":port"')
  .transform((value) => value.toLowerCase());
/** A browser origin: scheme, host and optional port, nothing after. */
const OriginSchema = z.string().regex(/^[a-z][a-z0-9+.-]*:\/\/[^/\s]+$/i, 'must be an origin such as "http://localhost:6274" (no path)');

export const TlsSettingsSchema = z.looseObject({
  enabled: z.boolean().default(false),
  cert_file: z.string().default(''),
  key_file: z.string().default(''),
});

export const ReverseMcpSettingsSchema = z.looseObject({
  /** CleverChatty: whether its listener runs. Inlet's loopback /ws always runs; this gates the second listener. */
  enabled: z.boolean().default(false),
  /** CleverChatty form ":9090" or "0.0.0.0:9090": a second, provider-only listener. */
  listen_host: z.string().default(''),
  tls: TlsSettingsSchema.default({ enabled: false, cert_file: '', key_file: '' }),
  /** Seconds between WebSocket pings; a provider silent for two intervals is dead. */
  heartbeat_s: z.number().positive().default(15),
  /** Largest WebSocket frame accepted from a provider. */
  max_frame_bytes: z.number().int().min(1024).default(16 * 1024 * 1024),
  /**
   * Host names (optionally `name:port`) the hub answers to besides the loopback names: the
   * names LAN/WAN providers use to reach the second listener (DNS-rebinding guard).
   */
  allowed_hosts: z.array(HostNameSchema).default([]),
  /** Seconds a provider has for initialize and its whole tool list; also bounds each re-listing. */
  startup_timeout_s: z.number().positive().default(30),
  /** Most pages one tools/list may take (a provider that always sends nextCursor is closed). */
  list_max_pages: z.number().int().min(1).default(100),
  /** Most tools one tools/list may hold, over all its pages. */
  list_max_tools: z.number().int().min(1).default(10_000),
  /** Most bytes (as JSON) one tools/list may hold, over all its pages. */
  list_max_bytes: z.number().int().min(1024).default(32 * 1024 * 1024),
  /** Least time between two re-listings; tools/list_changed in between are coalesced into one. */
  relist_min_interval_s: z.number().min(0).default(1),
});

export const ToolsServerSchema = z.looseObject({
  transport: z.string().default(''),
  /** Static token for this server name only; empty means no authentication (CleverChatty's rule). */
  auth_token: z.string().optional(),
  interface: z.string().optional(),
  disabled: z.boolean().default(false),
  /** Inlet: per-call timeout for this provider, in seconds. */
  call_timeout_s: z.number().positive().optional(),
});

export const ProviderSettingsSchema = z.strictObject({
  call_timeout_s: z.number().positive().optional(),
  /** List this provider's tools in MCP-Link's progressive-discovery form (docs/progressive-discovery.md). */
  progressive_discovery: z.boolean().optional(),
});

export const TokenSettingsSchema = z.strictObject({
  /** Client ids whose tokens no longer work (`inlet token revoke`). */
  revoked: z.array(z.string()).default([]),
});

export const AuditSettingsSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** audit.jsonl is rotated to audit.N.jsonl past this size; the hash chain continues. */
  max_file_bytes: z.number().int().min(4096).default(10 * 1024 * 1024),
});

export const AiSettingsSchema = z.strictObject({
  /**
   * Browser origins allowed to use /mcp and /sse (a web-based MCP client such as the MCP
   * Inspector). Empty: no web page may; programs send no Origin and are not affected.
   */
  allowed_origins: z.array(OriginSchema).default([]),
  /** A 2025-era session with no open stream and no request for this long is ended. */
  idle_timeout_min: z.number().positive().max(24 * 60).default(30),
});

export const ConfigSchema = z.looseObject({
  host: z.string().default('127.0.0.1'),
  port: PortSchema.default(41414),
  /** Default per-call timeout, in seconds. */
  call_timeout_s: z.number().positive().default(60),
  providers: z.record(z.string(), ProviderSettingsSchema).default({}),
  tokens: TokenSettingsSchema.default({ revoked: [] }),
  reverse_mcp_settings: ReverseMcpSettingsSchema.default(() => ReverseMcpSettingsSchema.parse({})),
  tools_servers: z.record(z.string(), ToolsServerSchema).default({}),
  approvals: ApprovalSettingsSchema.default(() => ApprovalSettingsSchema.parse({})),
  audit: AuditSettingsSchema.default(() => AuditSettingsSchema.parse({})),
  ai: AiSettingsSchema.default(() => AiSettingsSchema.parse({})),
  /** The tray app installs updates from the release feed (electron-updater); false turns that off. */
  auto_update: z.boolean().default(true),
});

export type Config = z.infer<typeof ConfigSchema>;
export type ReverseMcpSettings = z.infer<typeof ReverseMcpSettingsSchema>;
export type ToolsServer = z.infer<typeof ToolsServerSchema>;

const KNOWN_KEYS = new Set(Object.keys(ConfigSchema.shape));

export interface LoadedConfig {
  config: Config;
  /** The file's parsed JSON as written (what `inlet token revoke` edits and writes back). */
  raw: Record<string, unknown>;
  warnings: string[];
  /** False when the file does not exist and defaults are used. */
  exists: boolean;
}

export function defaultConfig(): Config {
  return ConfigSchema.parse({});
}

/** Parses config text; throws a HubError whose message is one sentence naming file, field and problem. */
export function parseConfig(text: string, file: string): Omit<LoadedConfig, 'exists'> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new HubError('CONFIG_INVALID', `The config file ${file} is not valid JSON (${(error as Error).message}).`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new HubError('CONFIG_INVALID', `The config file ${file} must hold a JSON object at the top level.`);
  }
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
    throw new HubError('CONFIG_INVALID', `The config file ${file} is invalid at "${field}": ${issue.message}.`);
  }
  const warnings = Object.keys(raw)
    .filter((key) => !KNOWN_KEYS.has(key) && !key.startsWith('$'))
    .map((key) => `config key "${key}" in ${file} is not used by Inlet and is ignored`);
  return { config: result.data, raw: raw as Record<string, unknown>, warnings };
}

export async function loadConfig(file: string): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { config: defaultConfig(), raw: {}, warnings: [], exists: false };
    }
    throw new HubError('CONFIG_UNREADABLE', `The config file ${file} cannot be read (${(error as Error).message}).`);
  }
  return { ...parseConfig(text, file), exists: true };
}

/** The per-call timeout that applies to a provider, in milliseconds. */
export function callTimeoutMs(config: Config, provider: string): number {
  const seconds =
    config.providers[provider]?.call_timeout_s ?? config.tools_servers[provider]?.call_timeout_s ?? config.call_timeout_s;
  return Math.round(seconds * 1000);
}

/** The bounds one provider connection lives under (reverse_mcp_settings), in milliseconds and counts. */
export interface ProviderLimits {
  startupTimeoutMs: number;
  maxPages: number;
  maxTools: number;
  maxBytes: number;
  relistIntervalMs: number;
}

export function providerLimits(settings: ReverseMcpSettings): ProviderLimits {
  return {
    startupTimeoutMs: Math.round(settings.startup_timeout_s * 1000),
    maxPages: settings.list_max_pages,
    maxTools: settings.list_max_tools,
    maxBytes: settings.list_max_bytes,
    relistIntervalMs: Math.round(settings.relist_min_interval_s * 1000),
  };
}

/** Parses CleverChatty's listen_host (":9090", "0.0.0.0:9090", "[::]:9090"). */
export function parseListenHost(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value.trim());
  if (!match) throw new HubError('CONFIG_INVALID', `reverse_mcp_settings.listen_host "${value}" must look like ":9090" or "0.0.0.0:9090".`);
  const port = Number(match[3]);
  if (port > 65535) throw new HubError('CONFIG_INVALID', `reverse_mcp_settings.listen_host "${value}" has a port above 65535.`);
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}
