// Runs one tool for any transport: validates the arguments (errors name the field), applies
// namespace authorisation, and hands back the answer. MCP and REST both call this.
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { z } from 'zod';
import type { CarbonCompliancePolicy } from '../operator/public-api.js';
import { AnswerMemo, policySerials, type PolicyReads } from './answer-memo.js';
import type { NamespaceAuthoriser } from './auth/namespace-authoriser.js';
import type { ReferenceData } from './reference-data.js';
import type { PolicyStatusReader } from './status/policy-status-reader.js';
import type { ToolAnswer, ToolDefinition } from './tools/tool-definition.js';
import { ClusterUnavailableError, ToolInputError } from './tools/tool-errors.js';

export interface ToolCall {
  caller?: AuthInfo;
  progress?: (done: number, total: number, message: string) => Promise<void>;
  signal?: AbortSignal;
}

export interface ToolRunnerDeps {
  policyStatus: PolicyStatusReader;
  authoriser: NamespaceAuthoriser;
  reference: ReferenceData;
  /** The clock for what-ifs (tests pin it). */
  now?: () => Date;
}

/** The first issue, as `field: message`; the field is the dotted path ('(arguments)' at the root). */
function inputErrorFrom(error: z.ZodError): ToolInputError {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(arguments)';
  const detail = issue?.message ?? 'invalid';
  if (issue?.code === 'unrecognized_keys') {
    return new ToolInputError(issue.keys.join(', '), 'unknown argument');
  }
  return new ToolInputError(field, detail);
}

/** How long a call made right after start waits for the first list of policies. */
const FIRST_LIST_WAIT_MS = 5_000;

/** Throws ClusterUnavailableError (naming the cause) while the policy cache cannot be trusted. */
export async function clusterAvailable(policyStatus: PolicyStatusReader): Promise<void> {
  if (!policyStatus.unavailableReason) return;
  if (policyStatus.unavailableReason() && policyStatus.settled)
    await policyStatus.settled(FIRST_LIST_WAIT_MS);
  const reason = policyStatus.unavailableReason();
  if (reason) throw new ClusterUnavailableError(reason);
}

// Built once per tool: zod compiles a parser per schema instance, so a fresh .strict() per call is slow.
const strictInputs = new WeakMap<ToolDefinition, z.ZodObject>();

/**
 * Answers kept for reuse (answer-memo.ts), for the whole process: 8 Mi characters of JSON, about
 * 2,000 single-workload assessments or 70 full pages of list_workloads_by_compliance (200 rows).
 */
const answers = new AnswerMemo(8 * 1024 * 1024);

export async function runTool(
  tool: ToolDefinition,
  rawArgs: unknown,
  deps: ToolRunnerDeps,
  call: ToolCall = {},
): Promise<ToolAnswer<unknown>> {
  let schema = strictInputs.get(tool);
  if (!schema) {
    schema = tool.inputSchema.strict();
    strictInputs.set(tool, schema);
  }
  const parsed = schema.safeParse(rawArgs ?? {});
  if (!parsed.success) throw inputErrorFrom(parsed.error);
  // The policies this call's caller may see: authorisation applies to every call, reused or not.
  const visible = async (namespace: string | undefined): Promise<readonly CarbonCompliancePolicy[]> => {
    await clusterAvailable(deps.policyStatus);
    return deps.authoriser.visiblePolicies(
      call.caller,
      namespace === undefined
        ? deps.policyStatus.list()
        : deps.policyStatus.list().filter((p) => p.metadata.namespace === namespace),
    );
  };
  const now = deps.now ?? (() => new Date());
  // A caller who asked for progress gets it: such a call is always answered afresh.
  const reusable = tool.reusableAnswer === true && call.progress === undefined;
  const key = reusable ? `${tool.name} ${JSON.stringify(parsed.data)}` : '';
  if (reusable) {
    const kept = await answers.find(key, deps.reference, visible);
    if (kept) return kept;
  }
  const reads: PolicyReads = [];
  let readClock = false;
  const answer = await tool.handler(parsed.data, {
    // Tools that need no policies (a what-if for a zone) still answer while the cluster is down.
    policies: async (namespace) => {
      const policies = await visible(namespace);
      if (reusable) reads.push({ namespace, serials: policySerials(policies) });
      return policies;
    },
    progress: call.progress ?? (async () => {}),
    reference: deps.reference,
    now: () => {
      readClock = true;
      return now();
    },
    ...(call.signal ? { signal: call.signal } : {}),
  });
  if (reusable && !readClock && !call.signal?.aborted) answers.keep(key, deps.reference, reads, answer);
  return answer;
}
