// Prompts: they fetch the live answer through the same tools and ask for a report on it.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, type GetPromptResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Language } from '../../operator/public-api.js';
import { classifyToolFailure } from '../tool-failure.js';
import { runTool } from '../tool-runner.js';
import type { ToolDefinition } from '../tools/tool-definition.js';
import type { RequestExtra, ServerContext } from './server-context.js';

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

/** A prompt's one user message: the request, asked for in Korean when the answer's language is. */
function userPrompt(description: string, language: Language, request: string): GetPromptResult {
  return {
    description,
    messages: [
      {
        role: 'user',
        content: { type: 'text', text: (language === 'ko' ? '한국어로 작성하세요. ' : '') + request },
      },
    ],
  };
}

export function registerPrompts(mcp: McpServer, { deps, toolsByName }: ServerContext): void {
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
        ? toolsByName.get('assess_workload_compliance')
        : toolsByName.get('list_workloads_by_compliance');
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
      return userPrompt(
        `Compliance report for ${scope}`,
        answer.language,
        `Write a carbon compliance report for ${scope} for an auditor. State each workload's status, effective ` +
          'carbon intensity (gCO2eq/kWh) against the target, PUE against the maximum, the standard and its legal ' +
          'reference, and the source of every number (measured, configured, default or dataset). Do not invent numbers. ' +
          `Current data (${answer.summary}):\n${JSON.stringify(answer.structured)}`,
      );
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
      const answer = await answerForPrompt(toolsByName.get('compare_optimization_impact'), args, call);
      return userPrompt(
        `Optimisation plan for ${args.namespace}/${args.workload_name}`,
        answer.language,
        `Propose an ordered optimisation plan for workload ${args.namespace}/${args.workload_name}: for each step ` +
          'the change to apply (CronJob schedule, resources patch, region, PUE measure), its reduction and savings per ' +
          'month, caveats (data residency), and whether the combination reaches the target. Use only these numbers:\n' +
          JSON.stringify(answer.structured),
      );
    },
  );

  async function answerForPrompt(
    tool: ToolDefinition | undefined,
    args: unknown,
    call: { caller?: RequestExtra['authInfo'] },
  ) {
    if (!tool) throw new McpError(ErrorCode.InternalError, 'tool missing from the catalogue');
    try {
      return await runTool(tool, args, deps, call);
    } catch (error) {
      // A prompt has no isError answer: the caller's mistakes are -32602, the cluster's state -32603.
      const failure = classifyToolFailure(error);
      if (failure.outcome === 'unavailable')
        throw new McpError(ErrorCode.InternalError, failure.error.message);
      if (failure.outcome !== 'error') throw new McpError(ErrorCode.InvalidParams, failure.error.message);
      throw error;
    }
  }
}
