import { createHmac, randomBytes } from 'node:crypto';
import type { CallToolResult, Tool } from '@modelcontextprotocol/server';
import { isObject } from '../base/json-rpc.js';
import { textResult, type Provider } from '../providers/provider.js';
import type { NamedEntry } from './named-list.js';

/**
 * MCP-Link's progressive discovery (docs/progressive-discovery.md), for any provider whose
 * config opts in (`providers."<name>".progressive_discovery`): AI clients see each of its tools
 * with a short description and one `input` object; `{"input":{"operation":"readme"}}` returns the
 * full description, the real parameters and the tool's unlock token; other calls must carry that
 * token, which the hub checks and removes before the call is asked about or reaches the
 * provider. Each tool's token is derived from a key of this hub run and the name AI clients
 * call it by, so no two tools share one and no token is a fixed string.
 */
const INPUT_HINT =
  'All tool parameters are passed in this single dict. Use {"input":{"operation":"readme"}} to get full documentation, parameters, and an unlock token.';

/** Longest short description a wrapped tool is listed with. */
const SUMMARY_MAX = 300;

export type Gate = { answer: CallToolResult } | { arguments: Record<string, unknown> };

export class ProgressiveDiscovery {
  /** Unlock tokens are derived from this key, new for every hub run. */
  private readonly key = randomBytes(32);
  /** Providers whose tools are listed wrapped right now. */
  private readonly wrapped = new WeakSet<Provider>();

  /** `optedIn(name)`: whether the config asks for provider `name`'s tools in wrapped form. */
  constructor(private readonly optedIn: (provider: string) => boolean = () => false) {}

  /** Whether `provider`'s tools should be listed wrapped (the hub's own tools never are). */
  wanted(provider: Provider): boolean {
    return provider.kind !== 'builtin' && this.optedIn(provider.name);
  }

  /** Whether the config changed its mind about `provider` since its tools were last listed. */
  stale(provider: Provider): boolean {
    return this.wanted(provider) !== this.wrapped.has(provider);
  }

  /** `provider`'s tools as AI clients should see them, remembering which form was listed. */
  present(provider: Provider, tools: readonly Tool[]): readonly Tool[] {
    if (!this.wanted(provider)) {
      this.wrapped.delete(provider);
      return tools;
    }
    this.wrapped.add(provider);
    return tools.map(wrappedDefinition);
  }

  /**
   * A call to a wrapped tool: `readme` and a missing or wrong token are answered here; otherwise
   * the arguments to pass on, unwrapped from `input` and without the token. `undefined` when
   * the tool is listed as it is.
   */
  gate(entry: NamedEntry<Tool>, args: Record<string, unknown> | undefined): Gate | undefined {
    if (!this.wrapped.has(entry.provider)) return undefined;
    const tool = entry.provider.tools.find((t) => t.name === entry.original);
    const token = this.token(entry.exposed);
    const input = isObject(args?.input) ? args.input : (args ?? {});
    if (input.operation === 'readme') {
      const readme = { description: tool?.description ?? '', parameters: tool?.inputSchema ?? { type: 'object' }, tool_unlock_token: token };
      return { answer: textResult(JSON.stringify(readme, null, 2)) };
    }
    if (input.tool_unlock_token !== token) {
      const name = entry.exposed;
      return {
        answer: textResult(
          `Error: Missing required tool_unlock_token for ${name}. Call ${name} with {"input":{"operation":"readme"}} first: the answer has the documentation and the token.`,
          true,
        ),
      };
    }
    const { tool_unlock_token: _used, ...rest } = input;
    return { arguments: rest };
  }

  private token(exposed: string): string {
    return createHmac('sha256', this.key).update(`tool_unlock_token\0${exposed}`).digest('hex').slice(0, 8);
  }
}

/** The definition AI clients see for a wrapped tool (under the name the catalog gives it). */
function wrappedDefinition(tool: Tool): Tool {
  return {
    name: tool.name,
    description: summary(tool.description) || `Use this tool when you need to access ${tool.name} functionality`,
    inputSchema: { type: 'object', required: [], properties: { input: { type: 'object', description: INPUT_HINT } } },
    ...(tool.annotations ? { annotations: tool.annotations } : {}),
  };
}

/** The first paragraph of a description (a registrant's readme), cut at a word near SUMMARY_MAX. */
export function summary(description: string | undefined): string {
  const first = (description ?? '').trim().split(/\n\s*\n/)[0]!.trim();
  if (first.length <= SUMMARY_MAX) return first;
  const cut = first.slice(0, SUMMARY_MAX - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > SUMMARY_MAX / 2 ? cut.slice(0, space) : cut}…`;
}
