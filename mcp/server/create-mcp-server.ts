// Builds one McpServer (one per session over HTTP; one for stdio) from the tool catalogue,
// resources and prompts. Tool calls go through runTool, shared with REST.
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  CompleteRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
  type ListToolsResult,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { CarbonCompliancePolicy } from '../../operator/api/v1alpha1/types.js';
import { PACKAGE_VERSION } from '../../operator/package-version.js';
import { coveredWorkloads } from '../status/workload-lookup.js';
import { clusterAvailable, runTool, type ToolRunnerDeps } from '../tool-runner.js';
import type { ToolDefinition } from '../tools/tool-definition.js';
import { readOnlyAnnotations } from '../tools/tool-definition.js';
import {
  ClusterUnavailableError,
  ToolDataError,
  ToolInputError,
  WorkloadNotCoveredError,
} from '../tools/tool-errors.js';

const SERVER_NAME = 'carbon-aware-kepler';
export const SERVER_VERSION = PACKAGE_VERSION;

export interface FrontEndDeps extends ToolRunnerDeps {
  tools: readonly ToolDefinition[];
  logger: Logger;
  /** Counts tool calls (metrics); outcome is 'ok', 'invalid', 'not_covered', 'no_data', 'unavailable' or 'error'. */
  observeToolCall?: (tool: string, outcome: string) => void;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;
const MAX_COMPLETIONS = 100;

function prefixMatches(values: Iterable<string>, prefix: string): string[] {
  return [...new Set(values)].filter((v) => v.startsWith(prefix)).sort();
}

/** Grid zones the policies assess against (site.zone, or a cloud region's zone), plus KR (the default site). */
function zonesInUse(
  policies: readonly CarbonCompliancePolicy[],
  reference: FrontEndDeps['reference'],
): string[] {
  const zones = new Set<string>(['KR']);
  for (const p of policies) {
    const site = p.spec?.site;
    const zone = site?.cloudRegion ? reference.regionZone(site.cloudRegion) : site?.zone;
    if (zone && reference.gridProfile(zone)) zones.add(zone.toUpperCase());
  }
  return [...zones].sort();
}

function policyUri(policy: CarbonCompliancePolicy): string {
  return `carbon://policies/${policy.metadata.namespace}/${policy.metadata.name}`;
}

/** What a tool call returns over MCP: the summary, the JSON for clients without structured content, and the structure. */
function toolResult(summary: string, structured: unknown): CallToolResult {
  return {
    content: [
      { type: 'text', text: summary },
      { type: 'text', text: JSON.stringify(structured) },
    ],
    structuredContent: structured as Record<string, unknown>,
  };
}

// One listing per tool catalogue for the whole process (every HTTP session gets its own McpServer).
const toolListings = new WeakMap<readonly ToolDefinition[], ListToolsResult>();

function toolListing(tools: readonly ToolDefinition[]): ListToolsResult {
  let listing = toolListings.get(tools);
  if (!listing) {
    listing = {
      tools: tools.map((tool) => ({
        name: tool.name,
        title: tool.title,
        description: tool.description,
        inputSchema: z.toJSONSchema(tool.inputSchema, { target: 'draft-7', io: 'input' }) as ToolSchema,
        outputSchema: z.toJSONSchema(tool.outputSchema, { target: 'draft-7', io: 'output' }) as ToolSchema,
        annotations: { title: tool.title, ...readOnlyAnnotations },
        execution: { taskSupport: 'forbidden' as const },
      })),
    };
    toolListings.set(tools, listing);
  }
  return listing;
}
type ToolSchema = ListToolsResult['tools'][number]['inputSchema'];

// The SDK builds an Ajv instance per server (used only to validate elicitation answers, which this
// server never requests); one shared instance keeps a session's construction cheap.
const sharedJsonSchemaValidator = new AjvJsonSchemaValidator();

// Prompt arguments, built once per process: a stateless HTTP server builds an McpServer per request,
// and zod schema construction was a visible part of that.
const complianceReportArgs = {
  namespace: z.string().optional().describe('Kubernetes namespace to report on (default: all you can see)'),
  workload_name: z
    .string()
    .optional()
    .describe('one workload (Deployment, Job, CronJob, … name) to report on; needs namespace'),
};
const optimisationPlanArgs = {
  workload_name: z.string().describe('the workload (Deployment, Job, CronJob, … name) to plan for'),
  namespace: z.string().describe("the workload's Kubernetes namespace"),
};

export function createMcpServer(deps: FrontEndDeps): McpServer {
  const mcp = new McpServer(
    { name: SERVER_NAME, version: SERVER_VERSION, title: 'Carbon-Aware Kepler' },
    {
      capabilities: { logging: {}, completions: {} },
      jsonSchemaValidator: sharedJsonSchemaValidator,
      instructions:
        'Answers come from CarbonCompliancePolicy status that the operator keeps current from Kepler energy metrics. ' +
        'Start with list_workloads_by_compliance or assess_workload_compliance. Every number carries its unit and source.',
    },
  );
  const visible = (extra: Extra | undefined) =>
    deps.authoriser.visiblePolicies(extra?.authInfo, deps.source.list());

  // tools/list and tools/call are answered here rather than through registerTool: the SDK converts
  // every schema to JSON Schema on each tools/list (2-5 ms a call for these tools), and bad
  // arguments must be a JSON-RPC -32602 error naming the field.
  mcp.server.registerCapabilities({ tools: { listChanged: false } });
  mcp.server.setRequestHandler(ListToolsRequestSchema, () => toolListing(deps.tools));
  const byName = new Map(deps.tools.map((t) => [t.name, t]));

  mcp.server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const name = request.params.name;
    const tool = byName.get(name);
    if (!tool) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Unknown tool "${name}"; tools: ${[...byName.keys()].join(', ')}`,
      );
    }
    const progressToken = request.params._meta?.progressToken;
    try {
      const answer = await runTool(tool, request.params.arguments, deps, {
        ...(extra.authInfo ? { caller: extra.authInfo } : {}),
        signal: extra.signal,
        ...(progressToken !== undefined
          ? {
              progress: (progress: number, total: number, message: string) =>
                extra.sendNotification({
                  method: 'notifications/progress',
                  params: { progressToken, progress, total, message },
                }),
            }
          : {}),
      });
      void mcp.server
        .sendLoggingMessage(
          { level: 'debug', logger: 'tools', data: { tool: name, answered: true } },
          extra.sessionId,
        )
        .catch(() => {});
      deps.observeToolCall?.(name, 'ok');
      return toolResult(answer.summary, answer.structured);
    } catch (error) {
      deps.observeToolCall?.(
        name,
        error instanceof ToolInputError
          ? 'invalid'
          : error instanceof WorkloadNotCoveredError
            ? 'not_covered'
            : error instanceof ToolDataError
              ? 'no_data'
              : error instanceof ClusterUnavailableError
                ? 'unavailable'
                : 'error',
      );
      if (error instanceof ToolInputError) {
        throw new McpError(ErrorCode.InvalidParams, `Invalid arguments for tool ${name}: ${error.message}`, {
          field: error.field,
        });
      }
      if (
        error instanceof WorkloadNotCoveredError ||
        error instanceof ToolDataError ||
        error instanceof ClusterUnavailableError
      ) {
        return { content: [{ type: 'text', text: error.message }], isError: true };
      }
      deps.logger.error({ err: error, tool: name }, 'tool failed');
      void mcp.server
        .sendLoggingMessage(
          { level: 'error', logger: 'tools', data: { tool: name, error: String(error) } },
          extra.sessionId,
        )
        .catch(() => {});
      return {
        content: [{ type: 'text', text: `Tool ${name} failed: ${(error as Error).message}` }],
        isError: true,
      };
    }
  });

  // Resources: the standards catalogue, grid profiles and per-policy status.
  const json = (uri: string, value: unknown) => ({
    contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }],
  });
  mcp.registerResource(
    'standards',
    'carbon://standards',
    {
      title: 'Standards catalogue',
      description: 'Carbon and PUE standards with legal references and sources',
      mimeType: 'application/json',
    },
    async (uri) => json(uri.href, deps.reference.standards()),
  );
  mcp.registerResource(
    'standard',
    new ResourceTemplate('carbon://standards/{code}', {
      list: async () => ({
        resources: deps.reference.standards().map((s) => ({
          uri: `carbon://standards/${s.code}`,
          name: s.code,
          title: s.name.en,
          description: s.name.ko,
          mimeType: 'application/json',
        })),
      }),
    }),
    {
      title: 'Standard',
      description: 'One standard: thresholds, legal reference, source of every number',
      mimeType: 'application/json',
    },
    async (uri, variables) => {
      const code = String(variables.code);
      const standard = deps.reference.standard(code);
      if (!standard) throw new McpError(ErrorCode.InvalidParams, `Unknown standard "${code}"`);
      return json(uri.href, standard);
    },
  );
  mcp.registerResource(
    'grid-profile',
    // Listed: the zones the visible policies use (and KR, the default site); every other zone is
    // reachable through the template and completion/complete, not a 500-entry list.
    new ResourceTemplate('carbon://grid/{zone}', {
      list: async (extra) => ({
        resources: zonesInUse(await visible(extra), deps.reference).map((zone) => ({
          uri: `carbon://grid/${zone}`,
          name: `grid-${zone}`,
          title: `Grid carbon intensity profile, ${zone}`,
          description: 'A zone used by a policy you can see',
          mimeType: 'application/json',
        })),
      }),
    }),
    {
      title: 'Grid intensity profile',
      description:
        'Hourly grid carbon intensity (gCO2eq/kWh) by local hour, with source. Zone codes: ISO 3166-1 alpha-2 with ' +
        'optional sub-zone (KR, JP, AU-NSW); use completion for the others.',
      mimeType: 'application/json',
    },
    async (uri, variables) => {
      const zone = String(variables.zone);
      const profile = deps.reference.gridProfile(zone);
      if (!profile) {
        const prefix = zone.slice(0, 2).toUpperCase();
        const near = deps.reference
          .zones()
          .filter((z) => z.startsWith(prefix))
          .slice(0, 10);
        throw new McpError(
          ErrorCode.InvalidParams,
          `No grid profile for zone "${zone}": zone codes are ISO 3166-1 alpha-2 with an optional sub-zone ` +
            `(KR, JP, AU-NSW)${near.length > 0 ? `; zones starting with ${prefix}: ${near.join(', ')}` : ''}`,
        );
      }
      return json(uri.href, profile);
    },
  );
  mcp.registerResource(
    'policy-status',
    new ResourceTemplate('carbon://policies/{namespace}/{name}', {
      list: async (extra) => ({
        resources: (await visible(extra)).map((p) => ({
          uri: policyUri(p),
          name: `${p.metadata.namespace}/${p.metadata.name}`,
          description: `${p.spec?.standard ?? ''} ${p.status?.summary?.status ?? 'not evaluated yet'}`.trim(),
          mimeType: 'application/json',
        })),
      }),
    }),
    {
      title: 'Policy status',
      description: 'A CarbonCompliancePolicy: spec, summary and per-workload assessments',
      mimeType: 'application/json',
    },
    async (uri, variables, extra) => {
      await clusterAvailableOrMcpError();
      const policy = (await visible(extra)).find(
        (p) =>
          p.metadata.namespace === String(variables.namespace) && p.metadata.name === String(variables.name),
      );
      if (!policy)
        throw new McpError(
          ErrorCode.InvalidParams,
          `No policy ${String(variables.namespace)}/${String(variables.name)} (or not visible to you)`,
        );
      const { energyHistory: _history, ...status } = policy.status ?? {};
      return json(uri.href, { metadata: policy.metadata, spec: policy.spec, status });
    },
  );

  // Prompts: they fetch the live answer through the same tools and ask for a report on it.
  mcp.registerPrompt(
    'compliance_report',
    {
      title: 'Carbon compliance report',
      description: 'A compliance report for a namespace, or for one workload when workload_name is given',
      argsSchema: complianceReportArgs,
    },
    async (args, extra) => {
      const call = { ...(extra.authInfo ? { caller: extra.authInfo } : {}) };
      const tool = args.workload_name
        ? byName.get('assess_workload_compliance')
        : byName.get('list_workloads_by_compliance');
      if (args.workload_name && !args.namespace) {
        throw new McpError(ErrorCode.InvalidParams, 'namespace: required together with workload_name');
      }
      const toolArgs = args.workload_name
        ? { workload_name: args.workload_name, namespace: args.namespace }
        : { ...(args.namespace ? { namespace: args.namespace } : {}), limit: 200 };
      const answer = await answerForPrompt(tool, toolArgs, call);
      const scope = args.workload_name
        ? `workload ${args.namespace}/${args.workload_name}`
        : args.namespace
          ? `namespace ${args.namespace}`
          : 'all namespaces';
      return {
        description: `Compliance report for ${scope}`,
        messages: [
          {
            role: 'user',
            content: {
              type: 'text',
              text:
                (answer.language === 'ko' ? '한국어로 작성하세요. ' : '') +
                `Write a carbon compliance report for ${scope} for an auditor. State each workload's status, effective ` +
                'carbon intensity (gCO2eq/kWh) against the target, PUE against the maximum, the standard and its legal ' +
                'reference, and the source of every number (measured, configured, default or dataset). Do not invent numbers. ' +
                `Current data (${answer.summary}):\n${JSON.stringify(answer.structured)}`,
            },
          },
        ],
      };
    },
  );
  mcp.registerPrompt(
    'optimisation_plan',
    {
      title: 'Optimisation plan',
      description:
        'A step-by-step plan to bring one workload into compliance, from its computed optimisations',
      argsSchema: optimisationPlanArgs,
    },
    async (args, extra) => {
      const call = { ...(extra.authInfo ? { caller: extra.authInfo } : {}) };
      const answer = await answerForPrompt(byName.get('compare_optimization_impact'), args, call);
      return {
        description: `Optimisation plan for ${args.namespace}/${args.workload_name}`,
        messages: [
          {
            role: 'user',
            content: {
              type: 'text',
              text:
                (answer.language === 'ko' ? '한국어로 작성하세요. ' : '') +
                `Propose an ordered optimisation plan for workload ${args.namespace}/${args.workload_name}: for each step ` +
                'the change to apply (CronJob schedule, resources patch, region, PUE measure), its reduction and savings per ' +
                'month, caveats (data residency), and whether the combination reaches the target. Use only these numbers:\n' +
                JSON.stringify(answer.structured),
            },
          },
        ],
      };
    },
  );

  async function answerForPrompt(
    tool: ToolDefinition | undefined,
    args: unknown,
    call: { caller?: Extra['authInfo'] },
  ) {
    if (!tool) throw new McpError(ErrorCode.InternalError, 'tool missing from the catalogue');
    try {
      return await runTool(tool, args, deps, call);
    } catch (error) {
      if (error instanceof ToolInputError) throw new McpError(ErrorCode.InvalidParams, error.message);
      if (error instanceof WorkloadNotCoveredError || error instanceof ToolDataError) {
        throw new McpError(ErrorCode.InvalidParams, error.message);
      }
      if (error instanceof ClusterUnavailableError)
        throw new McpError(ErrorCode.InternalError, error.message);
      throw error;
    }
  }

  async function clusterAvailableOrMcpError(): Promise<void> {
    try {
      await clusterAvailable(deps.source);
    } catch (error) {
      throw new McpError(ErrorCode.InternalError, (error as Error).message);
    }
  }

  // Completion is handled here (not by the SDK's per-schema completers) so that suggestions respect
  // namespace authorisation, and unknown references answer with no suggestions instead of an error.
  mcp.server.setRequestHandler(CompleteRequestSchema, async (request, extra) => {
    const { ref, argument } = request.params;
    const context = request.params.context?.arguments ?? {};
    const policies = await visible(extra);
    let values: string[] = [];
    const workloadsIn = (ns?: string) => coveredWorkloads(policies, ns).map((c) => c.assessment.workload);
    if (argument.name === 'namespace')
      values = prefixMatches(
        policies.map((p) => p.metadata.namespace),
        argument.value,
      );
    else if (argument.name === 'workload_name')
      values = prefixMatches(workloadsIn(context.namespace), argument.value);
    else if (ref.type === 'ref/resource' && argument.name === 'name') {
      values = prefixMatches(
        policies
          .filter((p) => !context.namespace || p.metadata.namespace === context.namespace)
          .map((p) => p.metadata.name),
        argument.value,
      );
    } else if (argument.name === 'code')
      values = prefixMatches(
        deps.reference.standards().map((s) => s.code),
        argument.value,
      );
    else if (argument.name === 'zone') values = prefixMatches(deps.reference.zones(), argument.value);
    return {
      completion: {
        values: values.slice(0, MAX_COMPLETIONS),
        total: values.length,
        hasMore: values.length > MAX_COMPLETIONS,
      },
    };
  });
  return mcp;
}
