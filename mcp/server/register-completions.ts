// completion/complete for prompt and resource-template arguments: namespaces, workload names,
// policy names, standard codes and grid zones.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CompleteRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { coveredWorkloads } from '../tools/workload-lookup.js';
import type { ServerContext } from './server-context.js';

const MAX_COMPLETIONS = 100;

function prefixMatches(values: Iterable<string>, prefix: string): string[] {
  return [...new Set(values)].filter((v) => v.startsWith(prefix)).sort();
}

export function registerCompletions(mcp: McpServer, { deps, visible }: ServerContext): void {
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
}
