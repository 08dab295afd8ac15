import fc from 'fast-check';
import {
  podEnergyQuery,
  podIdleShareQuery,
  podPowerQuery,
  promqlRegexAnyOf,
  promqlString,
  regexLiteral,
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
  test('0.10+: package + dram, by pod, namespace quoted', () => {
    expect(podEnergyQuery('rewrite', 'shop', '1h')).toBe(
      'sum by (pod_namespace, pod_name) (increase(kepler_pod_cpu_joules_total{zone=~"package|dram",pod_namespace="shop"}[1h]))',
    );
  });

  test('legacy: the aggregate container counter by pod, mode dynamic (active energy) only', () => {
    expect(podEnergyQuery('legacy', 'ml', '1h', ['train-0'])).toBe(
      'sum by (container_namespace, pod_name) (increase(kepler_container_joules_total{mode="dynamic",container_namespace="ml",pod_name=~"train-0"}[1h]))',
    );
  });

  test('idle share: 0.7 mode="idle" counters; 0.10+ node idle split by the active share of all its pods', () => {
    expect(podIdleShareQuery('legacy', 'ml', '1h', ['train-0'])).toBe(
      'sum by (container_namespace, pod_name) (increase(kepler_container_joules_total{mode="idle",container_namespace="ml",pod_name=~"train-0"}[1h]))',
    );
    const q = podIdleShareQuery('rewrite', 'shop', '1h');
    // The denominator sums the pods of every namespace on the node, so the shares sum to the node's idle.
    expect(q).toContain(
      '/ on (node_name) group_left sum by (node_name) (increase(kepler_pod_cpu_joules_total{zone=~"package|dram"}[1h]))',
    );
    expect(q).toContain(
      '* on (node_name) group_left sum by (node_name) (increase(kepler_node_cpu_idle_joules_total{zone=~"package|dram"}[1h]))',
    );
    expect(() => podIdleShareQuery('rewrite', 'n', '1h] or up[')).toThrow(/invalid range/);
  });

  test('hostile namespace and pod names stay inside their string literals', () => {
    const q = podEnergyQuery('rewrite', 'x"} or up{a="', '1h', ['p"|.*']);
    expect(q).toContain('pod_namespace="x\\"} or up{a=\\""');
    expect(q).toContain('pod_name=~"p\\"\\\\|\\\\.\\\\*"');
    expect(podPowerQuery('rewrite', 'n\nx')).toContain('pod_namespace="n\\nx"');
    expect(() => podEnergyQuery('rewrite', 'n', '1h] or up[')).toThrow(/invalid range/);
  });
});
