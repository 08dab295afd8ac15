import fc from 'fast-check';
import {
  podEnergyQuery,
  legacyPodIdleShareQuery,
  nodeIdlePerActiveQuery,
  podPowerQuery,
  promqlRegexAnyOf,
  promqlString,
  regexLiteral,
  WholeHourRatioCache,
} from './prometheus-source.js';

/** Decodes a PromQL (Go-syntax) double-quoted literal: the inverse the PromQL lexer applies. */
function unquote(literal: string): string {
  expect(literal.startsWith('"') && literal.endsWith('"')).toBe(true);
  const body = literal.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    expect(ch).not.toBe('\n');
    expect(ch).not.toBe('"'); // every quote inside is escaped
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const n = body[++i];
    if (n === 'n') out += '\n';
    else if (n === 'r') out += '\r';
    else if (n === 't') out += '\t';
    else if (n === '\\' || n === '"') out += n;
    else if (n === 'x') {
      out += String.fromCharCode(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else throw new Error(`unexpected escape \\${n}`);
  }
  return out;
}

describe('promqlString', () => {
  test.each([
    ['plain', '"plain"'],
    ['a"b', '"a\\"b"'],
    ['back\\slash', '"back\\\\slash"'],
    ['line\nbreak', '"line\\nbreak"'],
    ['"}) or vector(1) #', '"\\"}) or vector(1) #"'],
    ['tab\tcr\r\u0000', '"tab\\tcr\\r\\x00"'],
    ['한국어 ✓', '"한국어 ✓"'],
  ])('escapes %j', (value, literal) => {
    expect(promqlString(value)).toBe(literal);
    expect(unquote(literal)).toBe(value);
  });

  test('property: any string survives quoting and cannot end the literal early', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(unquote(promqlString(s))).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });

  test('regex literals escape RE2 metacharacters', () => {
    expect(regexLiteral('web-1.x')).toBe('web-1\\.x');
    expect(regexLiteral('a|b.*')).toBe('a\\|b\\.\\*');
    expect(promqlRegexAnyOf(['a.b', 'c'])).toBe('"a\\\\.b|c"');
  });
});

describe('query templates', () => {
  test('0.10+: the zones of CPU_ZONE_RULE per node, plus GPU, by node and pod, namespace quoted', () => {
    const q = podEnergyQuery('rewrite', { namespace: 'shop' }, '1h');
    const hasPackage =
      'group by (node_name) (count_over_time(kepler_node_cpu_joules_total{zone="package"}[1h]) or count_over_time(kepler_pod_cpu_joules_total{zone="package",pod_namespace="shop"}[1h]))';
    const hasPsys =
      'group by (node_name) (count_over_time(kepler_node_cpu_joules_total{zone="psys"}[1h]) or count_over_time(kepler_pod_cpu_joules_total{zone="psys",pod_namespace="shop"}[1h]))';
    expect(q).toBe(
      'sum by (node_name, pod_namespace, pod_name) (' +
        `(increase(kepler_pod_cpu_joules_total{zone=~"package|dram",pod_namespace="shop"}[1h]) and on (node_name) ${hasPackage})` +
        ` or (increase(kepler_pod_cpu_joules_total{zone="psys",pod_namespace="shop"}[1h]) unless on (node_name) ${hasPackage})` +
        ` or (increase(kepler_pod_cpu_joules_total{zone!="psys",pod_namespace="shop"}[1h]) unless on (node_name) (${hasPackage} or ${hasPsys}))` +
        ' or label_replace(increase(kepler_pod_gpu_joules_total{pod_namespace="shop"}[1h]), "zone", "gpu", "", ""))',
    );
    const power = podPowerQuery('rewrite', { namespace: 'shop' });
    // By zone too: one answer gives each pod's watts (summed over zones) and the zones counted.
    expect(power.startsWith('sum by (pod_namespace, pod_name, zone) (')).toBe(true);
    expect(power).toContain(
      'label_replace(kepler_pod_gpu_watts{pod_namespace="shop"}, "zone", "gpu", "", "")',
    );
  });

  test("0.10+: a policy's query reads the zones of its own pods and their nodes only, not the cluster's", () => {
    const q = podEnergyQuery(
      'rewrite',
      { namespace: 'shop', pods: ['web-1', 'web-2'], nodes: ['n-1'] },
      '1h',
    );
    expect(q).toContain(
      'group by (node_name) (count_over_time(kepler_node_cpu_joules_total{zone="package",node_name=~"n-1"}[1h])' +
        ' or count_over_time(kepler_pod_cpu_joules_total{zone="package",pod_namespace="shop",pod_name=~"web-1|web-2"}[1h]))',
    );
    // Every selector of the query names the namespace or the nodes.
    const selectors = q.match(/kepler_\w+\{[^}]*\}/g) ?? [];
    expect(selectors.length).toBeGreaterThan(0);
    for (const sel of selectors) expect(sel).toMatch(/pod_namespace="shop"|node_name=~"n-1"/);
    // Nodes that export node-level series (Kepler's default): the zones come from them alone, and the
    // pod list is named once per counted arm, not again in every presence check.
    const nodeOnly = podEnergyQuery(
      'rewrite',
      { namespace: 'shop', pods: ['web-1', 'web-2'], nodes: ['n-1'], nodeSeriesOnly: true },
      '1h',
    );
    expect(nodeOnly).toContain(
      'group by (node_name) (count_over_time(kepler_node_cpu_joules_total{zone="package",node_name=~"n-1"}[1h]))',
    );
    expect(nodeOnly.split('web-1|web-2')).toHaveLength(5);
    expect(q.split('web-1|web-2').length).toBeGreaterThan(5);
    // Pods not yet on a node: no node-level series to read.
    expect(podPowerQuery('rewrite', { namespace: 'shop', pods: ['p'], nodes: [] })).toContain(
      'kepler_node_cpu_joules_total{zone="package",node_name=~""}',
    );
  });

  test('legacy: the aggregate container counter by pod, mode dynamic (active energy) only', () => {
    expect(podEnergyQuery('legacy', { namespace: 'ml', pods: ['train-0'] }, '1h')).toBe(
      'sum by (container_namespace, pod_name) (increase(kepler_container_joules_total{mode="dynamic",container_namespace="ml",pod_name=~"train-0"}[1h]))',
    );
  });

  test('idle share: 0.7 mode="idle" counters; 0.10+ each node\'s idle per active joule of all its pods', () => {
    expect(legacyPodIdleShareQuery({ namespace: 'ml', pods: ['train-0'] }, '1h')).toBe(
      'sum by (container_namespace, pod_name) (increase(kepler_container_joules_total{mode="idle",container_namespace="ml",pod_name=~"train-0"}[1h]))',
    );
    const q = nodeIdlePerActiveQuery('1h');
    // The denominator sums the pods of every namespace on the node (same zones and GPU as the pods'
    // energy), so the shares sum to the node's idle; the node idle counts the zones of the same rule.
    expect(q).toContain(
      '/ on (node_name) sum by (node_name) ((increase(kepler_pod_cpu_joules_total{zone=~"package|dram"}[1h]) and on (node_name) group by (node_name)',
    );
    expect(q).toContain('label_replace(increase(kepler_pod_gpu_joules_total[1h]), "zone", "gpu", "", ""))');
    expect(q).toMatch(
      /^sum by \(node_name\) \(\(increase\(kepler_node_cpu_idle_joules_total\{zone=~"package\|dram"\}\[1h\]\) and on \(node_name\)/,
    );
    expect(q).toContain(
      '(increase(kepler_node_cpu_idle_joules_total{zone="psys"}[1h]) unless on (node_name)',
    );
    expect(() => nodeIdlePerActiveQuery('1h] or up[')).toThrow(/invalid range/);
    expect(() => legacyPodIdleShareQuery({ namespace: 'n' }, '1h] or up[')).toThrow(/invalid range/);
  });

  test('hostile namespace, pod and node names stay inside their string literals', () => {
    const q = podEnergyQuery(
      'rewrite',
      { namespace: 'x"} or up{a="', pods: ['p"|.*'], nodes: ['n"}'] },
      '1h',
    );
    expect(q).toContain('pod_namespace="x\\"} or up{a=\\""');
    expect(q).toContain('pod_name=~"p\\"\\\\|\\\\.\\\\*"');
    expect(q).toContain('node_name=~"n\\"\\\\}"');
    expect(podPowerQuery('rewrite', { namespace: 'n\nx' })).toContain('pod_namespace="n\\nx"');
    expect(() => podEnergyQuery('rewrite', { namespace: 'n' }, '1h] or up[')).toThrow(/invalid range/);
  });
});

describe('WholeHourRatioCache', () => {
  const H = 3_600_000;
  const T = Date.parse('2026-04-02T00:00:00Z');
  /** Records each ask; answers every hour asked with one node's ratio (the hour's index). */
  const recording =
    (asks: Array<[number, number]>, fail = false) =>
    (from: number, to: number) => {
      asks.push([(from - T) / H, (to - T) / H]);
      if (fail) return Promise.reject(new Error('timeout'));
      const answer = new Map<number, Map<string, number>>();
      for (let t = from; t <= to; t += H) answer.set(t, new Map([['n1', (t - T) / H]]));
      return Promise.resolve(answer);
    };

  test('each hour is asked once, the latest first, at most 12 hours per ask; concurrent callers share', async () => {
    const asks: Array<[number, number]> = [];
    const cache = new WholeHourRatioCache(recording(asks));
    const [a, b] = await Promise.all([cache.hours(T - 23 * H, T), cache.hours(T - 23 * H, T)]);
    expect(asks).toEqual([
      [-11, 0],
      [-23, -12],
    ]);
    expect(a.map((m) => m.get('n1'))).toEqual(Array.from({ length: 24 }, (_, i) => i - 23));
    expect(b).toEqual(a);
    // An hour later only the new hour is asked.
    await cache.hours(T - 22 * H, T + H);
    expect(asks.at(-1)).toEqual([1, 1]);
    expect(asks).toHaveLength(3);
  });

  test('a failed ask is not kept: the next caller asks again', async () => {
    const asks: Array<[number, number]> = [];
    let failNext = true;
    const cache = new WholeHourRatioCache((from, to) => {
      const fail = failNext;
      failNext = false;
      return recording(asks, fail)(from, to);
    });
    await expect(cache.hours(T, T)).rejects.toThrow('timeout');
    await expect(cache.hours(T, T)).resolves.toEqual([new Map([['n1', 0]])]);
    expect(asks).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });
});
