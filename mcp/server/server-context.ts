// What every part of one McpServer (tools, resources, prompts, completions) is built from: the
// front end's dependencies, the tool catalogue by name, and the policies a request's caller may see.
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import type { CarbonCompliancePolicy } from '../../operator/public-api.js';
import type { ToolOutcome } from '../tool-failure.js';
import type { ToolRunnerDeps } from '../tool-runner.js';
import type { ToolDefinition } from '../tools/tool-definition.js';

export interface FrontEndDeps extends ToolRunnerDeps {
  tools: readonly ToolDefinition[];
  logger: Logger;
  /** Counts tool calls (metrics). */
  observeToolCall?: (tool: string, outcome: ToolOutcome) => void;
}

export type RequestExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface ServerContext {
  deps: FrontEndDeps;
  toolsByName: ReadonlyMap<string, ToolDefinition>;
  /** The cached policies the request's caller may see (namespace authorisation applied). */
  visible(extra: RequestExtra | undefined): Promise<readonly CarbonCompliancePolicy[]>;
}

export function serverContext(deps: FrontEndDeps): ServerContext {
  return {
    deps,
    toolsByName: new Map(deps.tools.map((t) => [t.name, t])),
    visible: (extra) => deps.authoriser.visiblePolicies(extra?.authInfo, deps.policyStatus.list()),
  };
}
