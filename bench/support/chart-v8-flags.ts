// The memory settings the Helm chart gives a program: the V8 flags it puts into NODE_OPTIONS (values
// <program>.maxHeapMiB and <program>.maxSemiSpaceMiB) and its malloc arena limit (<program>.mallocArenaMax),
// so that memory benchmarks measure the program as deployed.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

export interface V8Limits {
  maxHeapMiB?: number;
  maxSemiSpaceMiB?: number;
  mallocArenaMax?: number;
}

function chartValues(program: 'operator' | 'mcp'): V8Limits {
  const values = parseYaml(readFileSync('charts/carbon-aware-kepler/values.yaml', 'utf8')) as Record<
    'operator' | 'mcp',
    V8Limits
  >;
  return values[program];
}

/** The environment the chart sets for a program's memory besides V8's flags (values <program>.mallocArenaMax). */
export function chartMemoryEnv(program: 'operator' | 'mcp'): Record<string, string> {
  const { mallocArenaMax = 0 } = chartValues(program);
  return mallocArenaMax > 0 ? { MALLOC_ARENA_MAX: String(mallocArenaMax) } : {};
}

/** The V8 flags the chart sets; `overrides` are values a user sets at install (e.g. a larger heap for a larger cluster). */
export function chartV8Flags(program: 'operator' | 'mcp', overrides: V8Limits = {}): string[] {
  const { maxHeapMiB = 0, maxSemiSpaceMiB = 0 } = { ...chartValues(program), ...overrides };
  return [
    ...(maxHeapMiB > 0 ? [`--max-old-space-size=${maxHeapMiB}`] : []),
    ...(maxSemiSpaceMiB > 0 ? [`--max-semi-space-size=${maxSemiSpaceMiB}`] : []),
  ];
}
