import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  ExpositionParseError,
  labelObject,
  labelValue,
  parseExposition,
  samplesNamed,
  type ExpositionFormat,
  type MetricType,
} from './exposition-parser.js';
import { writeExposition, type WritableFamily } from '../../hack/testenv/exposition-writer.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../hack/testenv/data/kepler/${name}`, import.meta.url), 'utf8');

function parseError(input: string | Uint8Array, options = {}): ExpositionParseError {
  try {
    parseExposition(input, options);
  } catch (err) {
    if (err instanceof ExpositionParseError) return err;
    throw err;
  }
  throw new Error('expected an ExpositionParseError');
}

describe('parseExposition: Prometheus text 0.0.4', () => {
  test('parses HELP, TYPE, labels, values and timestamps', () => {
    const text = [
      '# HELP http_requests_total The total number of HTTP requests.',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{method="post",code="400"}    3 1395066363000',
      '',
      '# A normal comment',
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
      'metric_without_timestamp_and_labels 12.47',
      'something_weird{problem="division by zero"} +Inf -3982045',
      'nan_metric NaN',
      'neg_inf -Inf',
      '# HELP multi Line one\\nline two \\\\ end',
      '# TYPE multi gauge',
      'multi 0',
    ].join('\n');
    const e = parseExposition(text + '\n');
    expect(e.format).toBe('prometheus-0.0.4');
    expect(e.sampleCount).toBe(8);
    const requests = e.families.get('http_requests_total')!;
    expect(requests.type).toBe('counter');
    expect(requests.help).toBe('The total number of HTTP requests.');
    expect(requests.samples.map((s) => [labelValue(s, 'code'), s.value, s.timestampMs])).toEqual([
      ['200', 1027, 1395066363000],
      ['400', 3, 1395066363000],
    ]);
    const msdos = e.families.get('msdos_file_access_time_seconds')!;
    expect(msdos.type).toBe('untyped');
    expect(labelObject(msdos.samples[0]!)).toEqual({
      path: 'C:\\DIR\\FILE.TXT',
      error: 'Cannot find file:\n"FILE.TXT"',
    });
    expect(msdos.samples[0]!.value).toBe(1458255915);
    expect(e.families.get('something_weird')!.samples[0]).toMatchObject({
      value: Infinity,
      timestampMs: -3982045,
    });
    expect(e.families.get('nan_metric')!.samples[0]!.value).toBeNaN();
    expect(e.families.get('neg_inf')!.samples[0]!.value).toBe(-Infinity);
    expect(e.families.get('multi')!.help).toBe('Line one\nline two \\ end');
  });

  test('groups histogram and summary samples into their family', () => {
    const text = `# TYPE rpc histogram
rpc_bucket{le="0.05"} 24054
rpc_bucket{le="+Inf"} 144320
rpc_sum 53423
rpc_count 144320
# TYPE lat summary
lat{quantile="0.5"} 4773
lat_sum 1.7560473e+07
lat_count 2693
`;
    const e = parseExposition(text);
    expect([...e.families.keys()]).toEqual(['rpc', 'lat']);
    expect(e.families.get('rpc')!.samples.map((s) => s.name)).toEqual([
      'rpc_bucket',
      'rpc_bucket',
      'rpc_sum',
      'rpc_count',
    ]);
    expect(e.families.get('lat')!.samples[1]!.value).toBe(17560473);
    expect(samplesNamed(e, 'rpc_count')[0]!.value).toBe(144320);
  });

  test('accepts CRLF line ends, a missing final newline and a trailing comma in labels', () => {
    const e = parseExposition('a{x="1",} 1\r\nb 2');
    expect(e.families.get('a')!.samples[0]!.labels).toEqual(['x', '1']);
    expect(e.families.get('b')!.samples[0]!.value).toBe(2);
  });

  test('reads the bundled Kepler fixtures completely', () => {
    const legacy = parseExposition(fixture('kepler-v0.7-DERIVED-model-server-idle.prom'));
    expect(legacy.sampleCount).toBe(1516);
    expect(legacy.families.get('kepler_container_joules_total')!.samples).toHaveLength(102);
    // No TYPE line in the fixture for this family: it stays untyped.
    expect(legacy.families.get('kepler_node_cpu_scaling_frequency_hertz')!.type).toBe('untyped');
    const synthetic = parseExposition(fixture('kepler-v0.11-SYNTHETIC-from-code.prom'));
    expect(synthetic.families.get('kepler_pod_cpu_joules_total')!.samples).toHaveLength(6);
    expect(synthetic.families.get('kepler_node_cpu_joules_total')!.help).toBe(
      'Energy consumption of cpu at node level in joules',
    );
    const redfish = parseExposition(fixture('kepler-v0.11-operator-redfish-doc.prom'));
    expect(redfish.families.get('kepler_platform_watts')!.samples.map((s) => s.value)).toEqual([245, 345]);
  });

  test('parses a Buffer the same as a string', () => {
    const text = fixture('kepler-v0.11-SYNTHETIC-from-code.prom');
    expect(parseExposition(Buffer.from(text)).sampleCount).toBe(parseExposition(text).sampleCount);
  });

  test('non-ASCII label values and HELP read the same from a string and from bytes', () => {
    const text = [
      '# HELP w 전력 사용량 (watts) \u{1F50B}',
      'w{pod="데이터-처리-0",zone="é\\"x"} 1.5',
      'w{pod="데이터-처리-1",zone="ü\\n"} 2',
      'w{pod="데이터-처리-1",zone="ü\\n"} 3',
    ].join('\n');
    const okText = text.split('\n').slice(0, 3).join('\n');
    const forms: Array<(t: string) => string | Uint8Array> = [
      (t) => t,
      (t) => Buffer.from(t),
      (t) => new Uint8Array(Buffer.from(t)),
    ];
    for (const form of forms) {
      const err = parseError(form(text));
      expect(err.line).toBe(4);
      expect(err.message).toContain('데이터-처리-1');
      const ok = parseExposition(form(okText));
      expect(ok.families.get('w')!.help).toBe('전력 사용량 (watts) \u{1F50B}');
      expect(ok.families.get('w')!.samples.map((x) => labelObject(x))).toEqual([
        { pod: '데이터-처리-0', zone: 'é"x' },
        { pod: '데이터-처리-1', zone: 'ü\n' },
      ]);
    }
  });

  test.each([
    ['duplicate series', 'a{x="1",y="2"} 1\na{y="2",x="1"} 2\n', 2, /duplicate series/],
    ['duplicate series without labels', 'a 1\na{} 2\n', 2, /duplicate series/],
    ['duplicate label', 'a{x="1",x="2"} 1\n', 1, /duplicate label "x"/],
    ['bad escape', 'a{x="\\t"} 1\n', 1, /invalid escape/],
    ['unterminated value', 'a{x="1} 1\n', 1, /unterminated/],
    ['bad value', 'a 0x10\n', 1, /invalid sample value "0x10"/],
    ['no value', 'a{x="1"}\n', 1, /has no value/],
    ['bad timestamp', 'a 1 1.5\n', 1, /invalid timestamp/],
    ['junk after timestamp', 'a 1 2 3\n', 1, /unexpected text/],
    ['bad metric name', '1a 1\n', 1, /invalid metric name/],
    ['bad label name', 'a{1x="1"} 1\n', 1, /invalid label name/],
    ['unknown type', '# TYPE a bogus\na 1\n', 1, /unknown metric type "bogus"/],
    ['second TYPE', '# TYPE a gauge\n# TYPE a gauge\n', 2, /second TYPE/],
    ['second HELP', '# HELP a x\n# HELP a y\n', 2, /second HELP/],
    ['TYPE after samples', 'a 1\n# TYPE a gauge\n', 2, /after its samples/],
    ['bare histogram sample', '# TYPE h histogram\nh 1\n', 2, /needs a suffix/],
    ['raw newline in a label value', 'a{x="1\n"} 1\n', 1, /unterminated/],
    ['empty value', 'a \n', 1, /has no value/],
    ['bad HELP escape', '# HELP a x\\q\n', 1, /invalid escape/],
  ])('rejects %s with the line number', (_name, text, line, message) => {
    const err = parseError(text);
    expect(err.line).toBe(line);
    expect(err.message).toMatch(message);
  });

  test('enforces the body size limit before parsing', () => {
    const err = parseError('a 1\n'.repeat(100), { maxBytes: 100 });
    expect(err.line).toBe(0);
    expect(err.message).toMatch(/400 bytes, over the 100-byte limit/);
    expect(parseError(Buffer.alloc(101, 0x61), { maxBytes: 100 }).message).toMatch(/over the 100-byte limit/);
    // Multi-byte characters count as their UTF-8 size.
    expect(parseError('a{x="' + 'é'.repeat(40) + '"} 1\n', { maxBytes: 60 }).message).toMatch(
      /over the 60-byte/,
    );
  });

  test('rejects invalid UTF-8', () => {
    expect(parseError(Buffer.from([0x61, 0x20, 0xff, 0x0a])).message).toMatch(/not valid UTF-8/);
  });
});

describe('parseExposition: OpenMetrics 1.0', () => {
  test('counters with _total and _created, units, info, exemplars and # EOF', () => {
    const text = `# TYPE kepler_pod_cpu_joules counter
# UNIT kepler_pod_cpu_joules joules
# HELP kepler_pod_cpu_joules Energy consumption of cpu at pod level in joules
kepler_pod_cpu_joules_total{pod_name="a",zone="package"} 12.5 1700000000.5 # {trace_id="x"} 1 1700000000
kepler_pod_cpu_joules_created{pod_name="a",zone="package"} 1700000000
# TYPE build info
build_info{version="v0.11.4"} 1
# EOF
`;
    const e = parseExposition(text);
    expect(e.format).toBe('openmetrics-1.0.0');
    const f = e.families.get('kepler_pod_cpu_joules')!;
    expect(f).toMatchObject({ type: 'counter', unit: 'joules' });
    expect(f.samples.map((s) => [s.name, s.value, s.timestampMs])).toEqual([
      ['kepler_pod_cpu_joules_total', 12.5, 1700000000500],
      ['kepler_pod_cpu_joules_created', 1700000000, undefined],
    ]);
    expect(samplesNamed(e, 'kepler_pod_cpu_joules_total')).toHaveLength(1);
    expect(e.families.get('build')!.samples[0]!.name).toBe('build_info');
  });

  test.each([
    ['missing # EOF', '# TYPE a gauge\na 1\n', 'openmetrics-1.0.0', 2, /does not end with "# EOF"/],
    ['text after # EOF', 'a 1\n# EOF\nb 2\n', 'openmetrics-1.0.0', 3, /after "# EOF"/],
    ['empty line', 'a 1\n\n# EOF\n', 'auto', 2, /empty line/],
    ['bare counter sample', '# TYPE c counter\nc 1\n# EOF\n', 'auto', 2, /needs a suffix/],
    ['interleaved family', 'a 1\nb 1\na{x="1"} 2\n# EOF\n', 'auto', 3, /not in one group/],
    ['unit mismatch', '# UNIT a_bytes seconds\n# EOF\n', 'auto', 1, /must end with its unit/],
    ['trailing comma', 'a{x="1",} 1\n# EOF\n', 'auto', 1, /trailing comma/],
  ] as Array<[string, string, ExpositionFormat | 'auto', number, RegExp]>)(
    'rejects %s',
    (_name, text, format, line, message) => {
      const err = parseError(text, { format });
      expect(err.line).toBe(line);
      expect(err.message).toMatch(message);
    },
  );
});

// --- property tests -------------------------------------------------------------------------------

const nameArb = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,12}$/);
const labelValueArb = fc.string({ unit: 'grapheme', maxLength: 12 });
const valueArb = fc.oneof(
  fc.double({ noNaN: false }),
  fc.integer({ min: -1e9, max: 1e9 }),
  fc.constantFrom(0, -0, Infinity, -Infinity, NaN, 1e-5, 9.56416e6),
);

/** Families of gauges/untyped with unique series, labels sorted or not. */
const familiesArb = fc
  .uniqueArray(
    fc.record({
      name: nameArb,
      type: fc.constantFrom<MetricType>('gauge', 'counter', 'untyped'),
      // 0.0.4 skips blanks before the HELP text, so leading blanks cannot round-trip.
      help: fc.option(
        fc.string({ unit: 'grapheme', maxLength: 20 }).map((h) => h.replace(/^[ \t]+/, '')),
        { nil: undefined },
      ),
      series: fc.uniqueArray(fc.dictionary(nameArb, labelValueArb, { maxKeys: 4 }), {
        maxLength: 5,
        selector: (d) => JSON.stringify(Object.entries(d).sort()),
      }),
      values: fc.array(valueArb, { minLength: 5, maxLength: 5 }),
      timestamp: fc.option(fc.integer({ min: 0, max: 2 ** 41 }), { nil: undefined }),
    }),
    { maxLength: 6, selector: (f) => f.name },
  )
  // A family named like another's suffixed sample would be ambiguous on the way back; avoid it.
  .map((fams) => fams);

function toWritable(
  fams: Array<{
    name: string;
    type: MetricType;
    help: string | undefined;
    series: Array<Record<string, string>>;
    values: number[];
    timestamp: number | undefined;
  }>,
): WritableFamily[] {
  return fams.map((f) => ({
    name: f.name,
    type: f.type,
    help: f.help,
    samples: f.series.map((labels, i) => ({
      name: f.name,
      labels: Object.entries(labels).flat(),
      value: f.values[i]!,
      timestampMs: f.timestamp,
    })),
  }));
}

describe('parseExposition: properties', () => {
  test('written expositions parse back to the same families (0.0.4)', () => {
    fc.assert(
      fc.property(familiesArb, (fams) => {
        const written = toWritable(fams);
        const e = parseExposition(writeExposition(written));
        for (const f of written) {
          const got = e.families.get(f.name);
          if (f.samples.length === 0) {
            // A family without samples survives only through its HELP/TYPE lines.
            if (f.help !== undefined || f.type !== 'untyped') expect(got?.samples ?? []).toHaveLength(0);
            continue;
          }
          expect(got).toBeDefined();
          expect(got!.type).toBe(f.type);
          expect(got!.help).toBe(f.help);
          expect(got!.samples.map((s) => [s.name, s.labels, s.timestampMs])).toEqual(
            f.samples.map((s) => [s.name, s.labels, s.timestampMs]),
          );
          got!.samples.forEach((s, i) =>
            expect(Object.is(s.value, f.samples[i]!.value) || s.value === f.samples[i]!.value).toBe(true),
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  test('written expositions parse back to the same families (OpenMetrics)', () => {
    fc.assert(
      fc.property(familiesArb, (fams) => {
        // OpenMetrics counters carry the _total suffix on samples.
        const written = toWritable(fams).map((f) =>
          f.type === 'counter'
            ? { ...f, samples: f.samples.map((s) => ({ ...s, name: s.name + '_total' })) }
            : f,
        );
        const e = parseExposition(writeExposition(written, 'openmetrics-1.0.0'));
        expect(e.format).toBe('openmetrics-1.0.0');
        for (const f of written) {
          if (f.samples.length === 0) continue;
          const got = e.families.get(f.name)!;
          expect(got.samples.map((s) => [s.name, s.labels])).toEqual(
            f.samples.map((s) => [s.name, s.labels]),
          );
        }
      }),
      { numRuns: 200 },
    );
  });

  test('label names repeated from the previous line are checked like new ones (order, duplicates, validity)', () => {
    // Names from a tiny alphabet: consecutive lines share, extend, truncate and reorder each other's names,
    // which exercises the reuse of the previous line's validated names.
    const shortName = fc.constantFrom('a', 'ab', 'abc', 'b', 'ba', '_', 'a1', '1a', 'a-b');
    const line = fc.array(shortName, { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), (lines) => {
        const body = lines.map((names, i) => `m{${names.map((n) => `${n}="v"`).join(',')}} ${i}`).join('\n');
        const invalidAt = lines.findIndex((names) => names.some((n) => !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(n)));
        const duplicateAt = lines.findIndex((names) => new Set(names).size !== names.length);
        const seen = new Set<string>();
        const repeatedAt = lines.findIndex((names) => {
          const key = [...names].sort().join(',');
          if (seen.has(key)) return true;
          seen.add(key);
          return false;
        });
        const bad = [invalidAt, duplicateAt, repeatedAt].filter((i) => i >= 0);
        if (bad.length === 0) {
          const e = parseExposition(body);
          expect(e.families.get('m')!.samples.map((x) => labelObject(x))).toEqual(
            lines.map((names) => Object.fromEntries(names.map((n) => [n, 'v']))),
          );
        } else {
          expect(parseError(body).line).toBe(Math.min(...bad) + 1);
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('arbitrary strings either parse or raise ExpositionParseError', () => {
    const alphabet = fc.constantFrom(
      'a',
      'b',
      '_',
      '{',
      '}',
      '=',
      '"',
      ',',
      ' ',
      '\n',
      '\\',
      '#',
      '1',
      '.',
      'e',
      '+',
      '-',
      'N',
      'I',
      'TYPE ',
      'HELP ',
      'EOF',
      'n',
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: alphabet, maxLength: 80 })), (s) => {
        try {
          parseExposition(s);
        } catch (err) {
          expect(err).toBeInstanceOf(ExpositionParseError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  test('arbitrary bytes either parse or raise ExpositionParseError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          parseExposition(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(ExpositionParseError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('mutations of a real fixture either parse or raise ExpositionParseError', () => {
    const base = fixture('kepler-v0.11-SYNTHETIC-from-code.prom');
    fc.assert(
      fc.property(fc.nat(base.length - 1), fc.string({ maxLength: 3 }), (at, insert) => {
        try {
          parseExposition(base.slice(0, at) + insert + base.slice(at + 1));
        } catch (err) {
          expect(err).toBeInstanceOf(ExpositionParseError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
