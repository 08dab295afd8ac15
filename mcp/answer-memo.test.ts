// runTool reuses an answer only while the caller sees exactly the policies it was built from:
// a changed policy, another caller's narrower view, a clock read or a progress request each get a
// fresh answer, and a reused answer is the same bytes as a fresh one.
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { z } from 'zod';
import { policy, samplePolicies } from '../hack/testenv/sample-policies.js';
import { testReferenceData } from '../hack/testenv/test-reference-data.js';
import type { CarbonCompliancePolicy } from '../operator/public-api.js';
import { structuredJson } from './answer-memo.js';
import type { NamespaceAuthoriser } from './auth/namespace-authoriser.js';
import { allowAllNamespaces } from './auth/namespace-authoriser.js';
import { InMemoryPolicyReader } from './status/in-memory-policy-reader.js';
import { runTool, type ToolRunnerDeps } from './tool-runner.js';
import { assessWorkloadCompliance } from './tools/assess-workload-compliance.js';
import { listWorkloadsByCompliance } from './tools/list-workloads-by-compliance.js';
import { defineTool, type ToolDefinition } from './tools/tool-definition.js';
import { WorkloadNotCoveredError } from './tools/tool-errors.js';

const asTool = (tool: unknown) => tool as ToolDefinition;

function depsWith(reader: InMemoryPolicyReader, authoriser: NamespaceAuthoriser = allowAllNamespaces) {
  return { policyStatus: reader, authoriser, reference: testReferenceData } satisfies ToolRunnerDeps;
}

/** A tool that counts its runs; `readClock` makes it read context.now(). */
function countingTool(name: string, options: { reusableAnswer: boolean; readClock?: boolean }) {
  const runs = { count: 0 };
  const tool = defineTool({
    name,
    title: name,
    description: 'counts its runs',
    inputSchema: z.object({ namespace: z.string() }),
    outputSchema: z.object({ policies: z.number(), run: z.number() }),
    reusableAnswer: options.reusableAnswer,
    async handler(args, context) {
      runs.count += 1;
      if (options.readClock) context.now();
      const policies = await context.policies(args.namespace);
      await context.progress(1, 1, 'done');
      return {
        language: 'en',
        summary: `${policies.length} policies`,
        structured: { policies: policies.length, run: runs.count },
      };
    },
  });
  return { tool: asTool(tool), runs };
}

const args = { workload_name: 'ml-training-job', namespace: 'ai-team' };

test('the same question over the same policies is answered once, with the same bytes as a fresh answer', async () => {
  const reader = new InMemoryPolicyReader(samplePolicies());
  const deps = depsWith(reader);
  const first = await runTool(asTool(assessWorkloadCompliance), args, deps);
  const second = await runTool(asTool(assessWorkloadCompliance), { ...args }, deps);
  expect(second).toBe(first);
  // A fresh answer from a copy of the same policies (new objects, so nothing is reused).
  const fresh = await runTool(
    asTool(assessWorkloadCompliance),
    args,
    depsWith(new InMemoryPolicyReader(samplePolicies())),
  );
  expect(fresh).not.toBe(first);
  expect(structuredJson(second)).toBe(JSON.stringify(fresh.structured));
  expect(second.summary).toBe(fresh.summary);

  const list = await runTool(asTool(listWorkloadsByCompliance), { namespace: 'ai-team' }, deps);
  expect(await runTool(asTool(listWorkloadsByCompliance), { namespace: 'ai-team' }, deps)).toBe(list);
  expect(await runTool(asTool(listWorkloadsByCompliance), { namespace: 'ai-team', limit: 1 }, deps)).not.toBe(
    list,
  );
});

test('a changed policy gets a fresh answer', async () => {
  const reader = new InMemoryPolicyReader(samplePolicies());
  const deps = depsWith(reader);
  const before = await runTool(asTool(assessWorkloadCompliance), args, deps);
  expect((before.structured as { power_watts: number }).power_watts).toBe(57.5);
  // The watch replaces a changed policy with a new object, as upsert does.
  reader.upsert(
    policy('ai-team', 'carbon', [{ workload: 'ml-training-job', namespace: 'ai-team', power_watts: 80 }]),
  );
  const after = await runTool(asTool(assessWorkloadCompliance), args, deps);
  expect(after).not.toBe(before);
  expect((after.structured as { power_watts: number }).power_watts).toBe(80);
});

test('authorisation applies to every call: a caller who may not see the namespace is refused after another was answered', async () => {
  const reader = new InMemoryPolicyReader(samplePolicies());
  const onlyWeb: AuthInfo = { token: 'b', clientId: 'web-only', scopes: [] };
  const authoriser: NamespaceAuthoriser = {
    async visiblePolicies(caller, policies) {
      return caller?.clientId === 'web-only'
        ? policies.filter((p: CarbonCompliancePolicy) => p.metadata.namespace === 'web')
        : policies;
    },
  };
  const deps = depsWith(reader, authoriser);
  const everyone: AuthInfo = { token: 'a', clientId: 'admin', scopes: [] };
  const answer = await runTool(asTool(assessWorkloadCompliance), args, deps, { caller: everyone });
  await expect(runTool(asTool(assessWorkloadCompliance), args, deps, { caller: onlyWeb })).rejects.toThrow(
    WorkloadNotCoveredError,
  );
  expect(await runTool(asTool(assessWorkloadCompliance), args, deps, { caller: everyone })).toBe(answer);

  // Two callers who see different policies in the same namespace each get their own answer.
  const counting = countingTool('counts_visible', { reusableAnswer: true });
  const all = await runTool(counting.tool, { namespace: 'web' }, deps, { caller: everyone });
  const fewer: NamespaceAuthoriser = { visiblePolicies: async () => [] };
  const none = await runTool(counting.tool, { namespace: 'web' }, depsWith(reader, fewer));
  expect(all.summary).toBe('1 policies');
  expect(none.summary).toBe('0 policies');
  expect(counting.runs.count).toBe(2);
});

test('no reuse for a tool that does not declare it, one that reads the clock, or a caller who asked for progress', async () => {
  const deps = depsWith(new InMemoryPolicyReader(samplePolicies()));
  const undeclared = countingTool('undeclared', { reusableAnswer: false });
  const clock = countingTool('reads_clock', { reusableAnswer: true, readClock: true });
  const reusable = countingTool('reusable', { reusableAnswer: true });
  for (let i = 0; i < 2; i += 1) {
    await runTool(undeclared.tool, { namespace: 'web' }, deps);
    await runTool(clock.tool, { namespace: 'web' }, deps);
  }
  expect(undeclared.runs.count).toBe(2);
  expect(clock.runs.count).toBe(2);

  await runTool(reusable.tool, { namespace: 'web' }, deps);
  await runTool(reusable.tool, { namespace: 'web' }, deps);
  expect(reusable.runs.count).toBe(1);
  const progress: number[] = [];
  await runTool(reusable.tool, { namespace: 'web' }, deps, {
    progress: async (done) => {
      progress.push(done);
    },
  });
  expect(reusable.runs.count).toBe(2);
  expect(progress).toEqual([1]);
});
