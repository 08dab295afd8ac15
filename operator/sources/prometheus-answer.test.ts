import fc from 'fast-check';
import { parsePrometheusAnswer, PrometheusAnswerError, type PrometheusAnswer } from './prometheus-answer.js';

const parse = (body: unknown) => parsePrometheusAnswer(Buffer.from(JSON.stringify(body)));
const matrix = (result: unknown) => ({ status: 'success', data: { resultType: 'matrix', result } });
const vector = (result: unknown) => ({ status: 'success', data: { resultType: 'vector', result } });

function errorOf(body: string | Buffer): PrometheusAnswerError {
  try {
    parsePrometheusAnswer(typeof body === 'string' ? Buffer.from(body) : body);
  } catch (err) {
    if (err instanceof PrometheusAnswerError) return err;
    throw err;
  }
  throw new Error('expected a PrometheusAnswerError');
}

/** What the answer holds, from JSON.parse: the reference the reader is held to. */
function reference(text: string): PrometheusAnswer {
  const json = JSON.parse(text) as {
    status: string;
    data: {
      resultType: string;
      result: Array<{
        metric: Record<string, string>;
        value?: [number, string];
        values?: Array<[number, string]>;
      }>;
    };
  };
  const num = (v: string) =>
    v === 'NaN' ? Number.NaN : v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v);
  const result = json.data.result.map((s) =>
    json.data.resultType === 'vector'
      ? { metric: s.metric, t: s.value![0], v: num(s.value![1]) }
      : {
          metric: s.metric,
          t: Float64Array.from(s.values!.map(([t]) => t)),
          v: Float64Array.from(s.values!.map(([, v]) => num(v))),
        },
  );
  return { status: 'success', resultType: json.data.resultType, result } as PrometheusAnswer;
}

/** Sample values as Prometheus and other writers spell them. */
const valueText = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => String(d)),
  fc
    .double({ min: -1e12, max: 1e12, noNaN: true })
    .chain((d) => fc.integer({ min: 0, max: 20 }).map((digits) => d.toFixed(digits))),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => d.toExponential()),
  fc.bigInt({ min: 0n, max: 10n ** 30n }).map((n) => `${n}.${'0'.repeat(3)}1`),
  fc.constantFrom('NaN', '+Inf', '-Inf', '0', '-0', '1e-400', '1e400', '0.000000000000000000000000001'),
);
const labelSet = fc.dictionary(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  {
    maxKeys: 4,
  },
);
const time = fc.oneof(
  fc.integer({ min: 0, max: 2_000_000_000 }),
  fc.integer({ min: 0, max: 2_000_000_000_000 }).map((ms) => ms / 1000),
);

describe('parsePrometheusAnswer', () => {
  test('a range answer: labels, and times and values as numbers', () => {
    const a = parse(
      matrix([
        {
          metric: { pod_name: 'a', zone: 'package' },
          values: [
            [1_700_000_000, '3.5'],
            [1_700_003_600.5, 'NaN'],
          ],
        },
      ]),
    );
    expect(a).toEqual({
      status: 'success',
      resultType: 'matrix',
      result: [
        {
          metric: { pod_name: 'a', zone: 'package' },
          t: Float64Array.from([1_700_000_000, 1_700_003_600.5]),
          v: Float64Array.from([3.5, Number.NaN]),
        },
      ],
    });
  });

  test('an instant answer, warnings and keys it does not use', () => {
    const a = parsePrometheusAnswer(
      Buffer.from(
        ' {"status":"success","warnings":["w"],"data":{"result":[{"metric":{},"value":[1,"-Inf"],"histogram":[1,{"count":"1"}]}],"resultType":"vector","stats":{"x":[true,false,null,-1.5e3]}},"infos":["i"]}\n',
      ),
    );
    expect(a).toEqual({
      status: 'success',
      resultType: 'vector',
      warnings: ['w'],
      result: [{ metric: {}, t: 1, v: -Infinity }],
    });
  });

  test('an error answer and a scalar answer', () => {
    expect(parse({ status: 'error', errorType: 'bad_data', error: 'parse error' })).toEqual({
      status: 'error',
      errorType: 'bad_data',
      error: 'parse error',
    });
    expect(parse({ status: 'success', data: { resultType: 'scalar', result: [1, '2'] } })).toEqual({
      status: 'success',
      resultType: 'scalar',
    });
  });

  test('label strings reused across series and answers still read as written (many values, collisions, non-ASCII)', () => {
    // More distinct values than the reader keeps, so slots collide and are replaced; lengths vary, some
    // values differ in one byte, some are not ASCII and some hold escapes.
    const values = Array.from({ length: 20_000 }, (_, i) =>
      i % 997 === 0 ? `팟-${i}` : i % 1_001 === 0 ? `esc"${i}` : `app-${i % 7_000}-${'x'.repeat(i % 5)}${i}`,
    );
    for (let round = 0; round < 2; round++) {
      const text = JSON.stringify(
        vector(
          values.map((v, i) => ({ metric: { pod_name: v, node_name: `node-${i % 50}` }, value: [1, '1'] })),
        ),
      );
      const answer = parsePrometheusAnswer(Buffer.from(text));
      expect(answer).toEqual(reference(text));
    }
  });

  test('a label named __proto__ is a label like any other', () => {
    const a = parsePrometheusAnswer(
      Buffer.from(
        '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__proto__":"x"},"value":[1,"2"]}]}}',
      ),
    );
    expect(a.status === 'success' && a.resultType === 'vector' && a.result[0]!.metric['__proto__']).toBe('x');
  });

  test.each([
    [
      matrix([{ metric: { pod_name: 'a' }, values: [[1, 2]] }]),
      'data.result.0.values.0.1: expected a string',
    ],
    [
      matrix([{ metric: { pod_name: 'a' }, values: [['1', '2']] }]),
      'data.result.0.values.0.0: expected a number',
    ],
    [
      matrix([{ metric: { pod_name: 'a' }, values: [[1]] }]),
      'data.result.0.values.0: expected a [time, "value"] pair',
    ],
    [
      matrix([{ metric: { pod_name: 'a' }, values: [[1, '2', 3]] }]),
      'data.result.0.values.0: expected a [time, "value"] pair',
    ],
    [
      matrix([{ metric: { pod_name: 'a' }, values: [[1, 'watts']] }]),
      'data.result.0.values.0.1: expected a numeric string',
    ],
    [
      matrix([{ metric: { pod_name: 'a' }, values: [[1, '']] }]),
      'data.result.0.values.0.1: expected a numeric string',
    ],
    [matrix([{ metric: { pod_name: 'a' } }]), 'data.result.0.values: expected an array'],
    [matrix([{ values: [] }]), 'data.result.0.metric: expected an object of label values'],
    [
      matrix([{ metric: { pod_name: 7 }, values: [] }]),
      'data.result.0.metric.pod_name: expected a string, got a number',
    ],
    [matrix([null]), 'data.result.0: expected an object, got a literal'],
    [matrix({}), 'data.result: expected an array of series'],
    [vector([{ metric: {}, value: [1, 2] }]), 'data.result.0.value.1: expected a string'],
    [
      { status: 'success', data: { resultType: 'table', result: [] } },
      "data.resultType: expected 'vector', 'matrix', 'scalar' or 'string'",
    ],
    [{ status: 'ok' }, "status: expected 'success' or 'error'"],
    [{ status: 'error', error: 'x' }, 'errorType: expected a string'],
    [[], '(root): expected an object'],
  ])('names the failing field: %j', (body, message) => {
    const err = errorOf(JSON.stringify(body));
    expect(err.kind).toBe('shape');
    expect(err.message).toBe(message);
  });

  test.each([
    ['<html>502 Bad Gateway</html>'],
    ['{"status":"success",'],
    ['{"status":"success"} trailing'],
    ['{"status":"succ\u0001ess"}'],
    ['{"status":"\\q"}'],
    ['{"data":{"result":[{"metric":{},"value":[01,"1"]}]}}'],
    ['{"data":{"result":[{"metric":{},"value":[1.,"1"]}]}}'],
    ['{"data":{"result":[{"metric":{},"value":[-,"1"]}]}}'],
    [''],
  ])('a body that is not JSON is a syntax error: %j', (body) => {
    expect(errorOf(body).kind).toBe('syntax');
  });

  test('property: any answer reads as JSON.parse reads it (labels, times, values)', () => {
    const answer = fc.record({
      kind: fc.constantFrom('vector', 'matrix'),
      series: fc.array(
        fc.record({
          metric: labelSet,
          samples: fc.array(fc.tuple(time, valueText), { minLength: 1, maxLength: 6 }),
        }),
        { maxLength: 5 },
      ),
      indent: fc.constantFrom(undefined, 1, '\t'),
    });
    fc.assert(
      fc.property(answer, ({ kind, series, indent }) => {
        const body = {
          status: 'success',
          data: {
            resultType: kind,
            result: series.map((s) =>
              kind === 'vector'
                ? { metric: s.metric, value: s.samples[0] }
                : { metric: s.metric, values: s.samples },
            ),
          },
        };
        const text = JSON.stringify(body, null, indent);
        expect(parsePrometheusAnswer(Buffer.from(text))).toEqual(reference(text));
      }),
      { numRuns: 3000 },
    );
  });

  test('property: numbers read exactly as Number() reads them', () => {
    fc.assert(
      fc.property(valueText, time, (v, t) => {
        const text = JSON.stringify(vector([{ metric: {}, value: [t, v] }]));
        const a = parsePrometheusAnswer(Buffer.from(text));
        if (a.status !== 'success' || a.resultType !== 'vector') throw new Error('expected a vector');
        expect(Object.is(a.result[0]!.t, t)).toBe(true);
        const expected =
          v === 'NaN' ? Number.NaN : v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v);
        expect(Object.is(a.result[0]!.v, expected)).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  test('property: arbitrary text either reads or raises PrometheusAnswerError; text JSON.parse rejects is a syntax error', () => {
    const valid = JSON.stringify(
      matrix([
        {
          metric: { pod_name: 'a' },
          values: [
            [1, '2.5'],
            [2, 'NaN'],
          ],
        },
      ]),
    );
    const mutated = fc
      .tuple(fc.nat({ max: valid.length - 1 }), fc.nat({ max: valid.length }), fc.string({ maxLength: 3 }))
      .map(([at, cut, insert]) => valid.slice(0, at) + insert + valid.slice(Math.max(at, cut)));
    fc.assert(
      fc.property(fc.oneof(mutated, fc.string({ unit: 'binary' })), (text) => {
        let jsonOk = true;
        try {
          JSON.parse(text);
        } catch {
          jsonOk = false;
        }
        try {
          parsePrometheusAnswer(Buffer.from(text));
        } catch (err) {
          expect(err).toBeInstanceOf(PrometheusAnswerError);
          if (!jsonOk) expect((err as PrometheusAnswerError).kind).toBe('syntax');
          return;
        }
        expect(jsonOk).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });
});
