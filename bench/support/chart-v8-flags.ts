// The V8 flags the Helm chart puts into a program's NODE_OPTIONS (values <program>.maxHeapMiB and
// <program>.maxSemiSpaceMiB), so that memory benchmarks measure the program as deployed.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

interface V8Limits {
  maxHeapMiB?: number;
  maxSemiSpaceMiB?: number;
}

export function chartV8Flags(program: 'operator' | 'mcp'): string[] {
  const values = parseYaml(readFileSync('charts/carbon-aware-kepler/values.yaml', 'utf8')) as Record<
    'operator' | 'mcp',
    V8Limits
  >;
  const { maxHeapMiB = 0, maxSemiSpaceMiB = 0 } = values[program];
  return [
    ...(maxHeapMiB > 0 ? [`--max-old-space-size=${maxHeapMiB}`] : []),
    ...(maxSemiSpaceMiB > 0 ? [`--max-semi-space-size=${maxSemiSpaceMiB}`] : []),
  ];
}
