// Prometheus HTTP API answers (/api/v1/query, /api/v1/query_range), read straight from the response
// bytes into what the operator uses: each series' labels, and its samples as numbers (typed arrays for a
// range). Why not JSON.parse and a schema: a 50,000-pod range answer is ~50 MB holding 1.2 million
// [time, "value"] pairs; the generic tree (an array, a string and a number per sample), its check and
// its garbage were the largest cost of a reconcile. This reader checks the same shape field by field
// and rejects what JSON.parse or that shape would reject, naming the field (data.result.3.values.2.1).
// Unknown keys (stats, infos, histograms) are read as JSON and skipped.

type Labels = Record<string, string>;

/** One series of an instant query: its labels, the sample's time (s) and value (NaN, ±Inf kept). */
export interface VectorSeries {
  metric: Labels;
  t: number;
  v: number;
}

/** One series of a range query: its labels and its samples in answer order, times in s. */
export interface MatrixSeries {
  metric: Labels;
  t: Float64Array;
  v: Float64Array;
}

export type PrometheusAnswer =
  | { status: 'success'; resultType: 'vector'; result: VectorSeries[]; warnings?: string[] }
  | { status: 'success'; resultType: 'matrix'; result: MatrixSeries[]; warnings?: string[] }
  | { status: 'success'; resultType: 'scalar' | 'string'; warnings?: string[] }
  | { status: 'error'; errorType: string; error: string };

/** `syntax`: the body is not JSON; `shape`: it is JSON but not a Prometheus answer (`path` names where). */
export class PrometheusAnswerError extends Error {
  constructor(
    readonly kind: 'syntax' | 'shape',
    readonly path: string,
    message: string,
  ) {
    super(kind === 'syntax' ? message : `${path || '(root)'}: ${message}`);
    this.name = 'PrometheusAnswerError';
  }
}

const enum C {
  Tab = 0x09,
  Newline = 0x0a,
  Return = 0x0d,
  Space = 0x20,
  Quote = 0x22,
  Plus = 0x2b,
  Comma = 0x2c,
  Minus = 0x2d,
  Dot = 0x2e,
  Zero = 0x30,
  Nine = 0x39,
  Colon = 0x3a,
  OpenBracket = 0x5b,
  Backslash = 0x5c,
  CloseBracket = 0x5d,
  LowerE = 0x65,
  UpperE = 0x45,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
}

/** Powers of ten that are exact doubles: m × 10^e and m / 10^e are then correctly rounded (m < 2^53). */
const EXACT_POWERS = Array.from({ length: 23 }, (_, i) => 10 ** i);
const MAX_EXACT_MANTISSA = 2 ** 53;

/** Recently read short ASCII strings by the hash of their bytes (direct-mapped: a collision replaces). */
const INTERN_SLOTS = 4096;
const INTERN_MAX_LENGTH = 64;
const internTable: Array<string | undefined> = new Array<string | undefined>(INTERN_SLOTS).fill(undefined);

/** Growable scratch for one series' samples; copied out at the series' size. */
let scratchT = new Float64Array(1024);
let scratchV = new Float64Array(1024);

class Reader {
  pos = 0;
  /** The last sample read. */
  t = 0;
  v = 0;
  constructor(private readonly b: Buffer) {}

  syntax(message: string): PrometheusAnswerError {
    return new PrometheusAnswerError('syntax', '', `${message} at byte ${this.pos}`);
  }

  ws(): void {
    const b = this.b;
    let p = this.pos;
    for (;;) {
      const c = b[p];
      if (c === C.Space || c === C.Newline || c === C.Return || c === C.Tab) p++;
      else break;
    }
    this.pos = p;
  }

  peek(): number | undefined {
    this.ws();
    return this.b[this.pos];
  }

  expect(c: number, what: string): void {
    if (this.peek() !== c) throw this.syntax(`expected ${what}`);
    this.pos++;
  }

  /** After a member or element: true if another follows (a comma was read), false at the closing byte. */
  more(close: number): boolean {
    const c = this.peek();
    this.pos++;
    if (c === C.Comma) return true;
    if (c === close) return false;
    this.pos--;
    throw this.syntax(`expected , or ${String.fromCharCode(close)}`);
  }

  /** The start of an object's or array's first member: false if it is empty (the closing byte was read). */
  open(openByte: number, close: number, what: string): boolean {
    this.expect(openByte, what);
    if (this.peek() === close) {
      this.pos++;
      return false;
    }
    return true;
  }

  /** Set by stringEnd(): the closing quote's index, whether the string has escapes, and, for a short
   * ASCII string, the hash of its bytes (-1 otherwise). */
  strEnd = 0;
  strEscaped = false;
  strHash = -1;

  /** The opening quote is at pos; finds the string's end (strEnd) and whether it has escapes. */
  private stringEnd(): void {
    const b = this.b;
    let p = this.pos + 1;
    let escaped = false;
    let ascii = true;
    let hash = 0x811c9dc5;
    for (;;) {
      const c = b[p];
      if (c === undefined) throw this.syntax('unterminated string');
      if (c === C.Quote) break;
      if (c < 0x20) {
        this.pos = p;
        throw this.syntax('control character in string');
      }
      if (c === C.Backslash) {
        escaped = true;
        p += 2;
      } else {
        if (c >= 0x80) ascii = false;
        hash = Math.imul(hash ^ c, 0x01000193);
        p++;
      }
    }
    this.strEnd = p;
    this.strEscaped = escaped;
    this.strHash = ascii && !escaped && p - this.pos - 1 <= INTERN_MAX_LENGTH ? hash >>> 0 : -1;
  }

  isString(): boolean {
    return this.peek() === C.Quote;
  }

  string(): string {
    if (this.peek() !== C.Quote) throw this.syntax('expected a string');
    const start = this.pos;
    this.stringEnd();
    const end = this.strEnd;
    this.pos = end + 1;
    if (this.strEscaped) return this.unescape(start, end);
    if (this.strHash < 0) return this.b.toString('utf8', start + 1, end);
    // Label names and values repeat across series and answers (pod_name, a namespace, a node): a short
    // ASCII string seen recently is reused, not decoded again.
    const slot = this.strHash & (INTERN_SLOTS - 1);
    const seen = internTable[slot];
    if (seen !== undefined && seen.length === end - start - 1) {
      let same = true;
      for (let i = 0, p = start + 1; p < end; i++, p++)
        if (seen.charCodeAt(i) !== this.b[p]) {
          same = false;
          break;
        }
      if (same) return seen;
    }
    const text = this.b.toString('latin1', start + 1, end);
    internTable[slot] = text;
    return text;
  }

  isNumber(): boolean {
    const c = this.peek();
    return c === C.Minus || (c !== undefined && c >= C.Zero && c <= C.Nine);
  }

  /** A JSON number. */
  number(): number {
    this.ws();
    const start = this.pos;
    const value = this.decimal(start, false);
    if (value === undefined) throw this.syntax('expected a number');
    return value;
  }

  /**
   * The decimal at `start` (JSON number syntax; a leading + too when `plus`); pos moves past it. Undefined
   * if there is none. It ends at the first byte that cannot continue it (a string's closing quote bounds a
   * value). Digits that fit 2^53 with a small exponent are converted exactly here; others by Number() on
   * the text (both correctly rounded).
   */
  private decimal(start: number, plus: boolean): number | undefined {
    const b = this.b;
    let p = start;
    let c = b[p];
    let negative = false;
    if (c === C.Minus || (plus && c === C.Plus)) {
      negative = c === C.Minus;
      c = b[++p];
    }
    const intStart = p;
    let mantissa = 0;
    if (c === C.Zero) c = b[++p];
    else
      while (c !== undefined && c >= C.Zero && c <= C.Nine) {
        mantissa = mantissa * 10 + c - C.Zero;
        c = b[++p];
      }
    if (p === intStart) return undefined;
    let exponent = 0;
    if (c === C.Dot) {
      c = b[++p];
      const fracStart = p;
      while (c !== undefined && c >= C.Zero && c <= C.Nine) {
        mantissa = mantissa * 10 + c - C.Zero;
        c = b[++p];
      }
      if (p === fracStart) return undefined;
      exponent = fracStart - p;
    }
    if (c === C.LowerE || c === C.UpperE) {
      c = b[++p];
      let expNegative = false;
      if (c === C.Plus || c === C.Minus) {
        expNegative = c === C.Minus;
        c = b[++p];
      }
      const expStart = p;
      let e = 0;
      while (c !== undefined && c >= C.Zero && c <= C.Nine) {
        e = Math.min(e * 10 + c - C.Zero, 1e6);
        c = b[++p];
      }
      if (p === expStart) return undefined;
      exponent += expNegative ? -e : e;
    }
    this.pos = p;
    // The mantissa is exact while below 2^53 (once over, it stays over).
    if (mantissa >= MAX_EXACT_MANTISSA || exponent < -22 || exponent > 22)
      return Number(b.toString('latin1', start, p));
    const value = exponent >= 0 ? mantissa * EXACT_POWERS[exponent]! : mantissa / EXACT_POWERS[-exponent]!;
    return negative ? -value : value;
  }

  /**
   * A sample in the compact form Prometheus writes, `[1714550400,"0.5"]` (no spaces, no escapes), into t
   * and v: true if it was one, else false with pos unchanged, for sample() to read with its checks. The
   * same decimal reader as the general path, so both give the same numbers; a range answer has a million.
   */
  compactSample(): boolean {
    const b = this.b;
    const start = this.pos;
    if (b[start] !== C.OpenBracket) return false;
    const t = this.decimal(start + 1, false);
    if (t !== undefined && b[this.pos] === C.Comma && b[this.pos + 1] === C.Quote) {
      const v = this.decimal(this.pos + 2, true);
      if (v !== undefined && b[this.pos] === C.Quote && b[this.pos + 1] === C.CloseBracket) {
        this.pos += 2;
        this.t = t;
        this.v = v;
        return true;
      }
    }
    this.pos = start;
    return false;
  }

  /** After an element: true past a comma, false past `]`, undefined (pos unchanged) for more() to read. */
  compactMore(): boolean | undefined {
    const c = this.b[this.pos];
    if (c === C.Comma) {
      this.pos++;
      return true;
    }
    if (c === C.CloseBracket) {
      this.pos++;
      return false;
    }
    return undefined;
  }

  /**
   * A sample's value: a string holding a number as Prometheus writes floats (a decimal, NaN, +Inf, -Inf;
   * anything else Number() reads is taken too). Undefined if the string holds no number; pos moves past it.
   */
  sampleValue(): number | undefined {
    const start = this.pos;
    this.stringEnd();
    const end = this.strEnd;
    const escaped = this.strEscaped;
    this.pos = end + 1;
    if (!escaped) {
      const value = this.decimal(start + 1, true);
      const endedAt = this.pos;
      this.pos = end + 1;
      if (value !== undefined && endedAt === end) return value;
    }
    const text = escaped ? this.unescape(start, end) : this.b.toString('utf8', start + 1, end);
    if (text === 'NaN') return Number.NaN;
    if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
    if (text === '-Inf') return Number.NEGATIVE_INFINITY;
    const value = text.trim() === '' ? Number.NaN : Number(text);
    return Number.isNaN(value) ? undefined : value;
  }

  /** The string from the quote at `start` to the one at `end`, escapes decoded (JSON.parse's rules). */
  private unescape(start: number, end: number): string {
    try {
      return JSON.parse(this.b.toString('utf8', start, end + 1)) as string;
    } catch {
      this.pos = start;
      throw this.syntax('invalid escape in string');
    }
  }

  /** Any JSON value, checked and discarded. */
  skip(depth = 0): void {
    if (depth > 512) throw this.syntax('nesting too deep');
    const c = this.peek();
    if (c === C.Quote) {
      this.string();
    } else if (c === C.OpenBrace) {
      if (this.open(C.OpenBrace, C.CloseBrace, '{'))
        do {
          this.string();
          this.expect(C.Colon, ':');
          this.skip(depth + 1);
        } while (this.more(C.CloseBrace));
    } else if (c === C.OpenBracket) {
      if (this.open(C.OpenBracket, C.CloseBracket, '['))
        do this.skip(depth + 1);
        while (this.more(C.CloseBracket));
    } else if (this.isNumber()) {
      this.number();
    } else if (!this.literal('true') && !this.literal('false') && !this.literal('null')) {
      throw this.syntax('expected a JSON value');
    }
  }

  private literal(word: string): boolean {
    for (let i = 0; i < word.length; i++) if (this.b[this.pos + i] !== word.charCodeAt(i)) return false;
    this.pos += word.length;
    return true;
  }

  /** A JSON value's kind at pos, for shape errors that name what was found. */
  kindHere(): string {
    const c = this.peek();
    if (c === C.Quote) return 'a string';
    if (c === C.OpenBrace) return 'an object';
    if (c === C.OpenBracket) return 'an array';
    if (this.isNumber()) return 'a number';
    return 'a literal';
  }
}

function shape(path: string, message: string): PrometheusAnswerError {
  return new PrometheusAnswerError('shape', path, message);
}

/** The members of an object at pos: `member(key)` reads each value (or skips it). */
function members(r: Reader, path: string, member: (key: string) => void): void {
  if (r.peek() !== C.OpenBrace) throw shape(path, `expected an object, got ${r.kindHere()}`);
  if (!r.open(C.OpenBrace, C.CloseBrace, '{')) return;
  do {
    const key = r.string();
    r.expect(C.Colon, ':');
    member(key);
  } while (r.more(C.CloseBrace));
}

/** Elements of an array at pos: `element(i)` reads each. */
function elements(r: Reader, path: string, element: (i: number) => void): void {
  if (r.peek() !== C.OpenBracket) throw shape(path, `expected an array, got ${r.kindHere()}`);
  if (!r.open(C.OpenBracket, C.CloseBracket, '[')) return;
  let i = 0;
  do element(i++);
  while (r.more(C.CloseBracket));
}

function stringAt(r: Reader, path: string): string {
  if (!r.isString()) throw shape(path, `expected a string, got ${r.kindHere()}`);
  return r.string();
}

function labels(r: Reader, path: string): Labels {
  // A plain object, so series with the same label names share one shape; a label named __proto__ is
  // defined as an own property like any other, not taken as the prototype.
  const out: Labels = {};
  members(r, path, (key) => {
    if (!r.isString()) throw shape(`${path}.${key}`, `expected a string, got ${r.kindHere()}`);
    const value = r.string();
    if (key === '__proto__')
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    else out[key] = value;
  });
  return out;
}

/**
 * A [time, "value"] pair into r.t and r.v. The path (`base`, or `base.index`) is only spelled out for an
 * error: a range answer has a million of them.
 */
function sample(r: Reader, base: string, index?: number): void {
  if (r.peek() !== C.OpenBracket) throw shape(pathOf(base, index), 'expected a [time, "value"] pair');
  r.pos++;
  if (!r.isNumber()) throw shape(pathOf(base, index, '.0'), 'expected a number');
  r.t = r.number();
  if (!r.more(C.CloseBracket)) throw shape(pathOf(base, index), 'expected a [time, "value"] pair');
  if (!r.isString()) throw shape(pathOf(base, index, '.1'), 'expected a string');
  const v = r.sampleValue();
  if (v === undefined) throw shape(pathOf(base, index, '.1'), 'expected a numeric string');
  r.v = v;
  if (r.more(C.CloseBracket)) throw shape(pathOf(base, index), 'expected a [time, "value"] pair');
}

function pathOf(base: string, index: number | undefined, suffix = ''): string {
  return (index === undefined ? base : `${base}.${index}`) + suffix;
}

interface ParsedSeries {
  metric?: Labels;
  value?: { t: number; v: number };
  values?: { t: Float64Array; v: Float64Array };
}

/** A range series' samples, copied out of the scratch arrays at their count. */
function samples(r: Reader, path: string): { t: Float64Array; v: Float64Array } {
  if (r.peek() !== C.OpenBracket) throw shape(path, `expected an array, got ${r.kindHere()}`);
  let n = 0;
  if (r.open(C.OpenBracket, C.CloseBracket, '['))
    do {
      if (!r.compactSample()) sample(r, path, n);
      if (n === scratchT.length) {
        const grownT = new Float64Array(n * 2);
        grownT.set(scratchT);
        scratchT = grownT;
        const grownV = new Float64Array(n * 2);
        grownV.set(scratchV);
        scratchV = grownV;
      }
      scratchT[n] = r.t;
      scratchV[n++] = r.v;
    } while (r.compactMore() ?? r.more(C.CloseBracket));
  return { t: scratchT.slice(0, n), v: scratchV.slice(0, n) };
}

function series(r: Reader, path: string): ParsedSeries {
  const out: ParsedSeries = {};
  members(r, path, (key) => {
    if (key === 'metric') out.metric = labels(r, `${path}.metric`);
    else if (key === 'value') {
      if (!r.compactSample()) sample(r, `${path}.value`);
      out.value = { t: r.t, v: r.v };
    } else if (key === 'values') out.values = samples(r, `${path}.values`);
    else r.skip();
  });
  return out;
}

/** Parses and checks a Prometheus query answer; throws PrometheusAnswerError naming what is wrong. */
export function parsePrometheusAnswer(bytes: Buffer): PrometheusAnswer {
  try {
    return readAnswer(bytes);
  } catch (err) {
    // A shape error is reported as such only if the whole body is JSON; otherwise it is a syntax error.
    if (err instanceof PrometheusAnswerError && err.kind === 'shape') {
      const whole = new Reader(bytes);
      whole.skip();
      whole.ws();
      if (whole.pos !== bytes.length) throw whole.syntax('unexpected data after the value');
    }
    throw err;
  }
}

function readAnswer(bytes: Buffer): PrometheusAnswer {
  const r = new Reader(bytes);
  let status: string | undefined;
  let errorType: string | undefined;
  let error: string | undefined;
  let warnings: string[] | undefined;
  let resultType: string | undefined;
  let result: ParsedSeries[] | undefined;
  let hasData = false;
  if (r.peek() !== C.OpenBrace) {
    // JSON of another shape, or no JSON at all (an HTML error page from a proxy).
    r.skip();
    r.ws();
    if (r.pos === bytes.length) throw shape('', 'expected an object');
    throw r.syntax('unexpected data after the value');
  }
  members(r, '', (key) => {
    if (key === 'status') status = stringAt(r, 'status');
    else if (key === 'errorType') errorType = stringAt(r, 'errorType');
    else if (key === 'error') error = stringAt(r, 'error');
    else if (key === 'warnings') {
      const list: string[] = [];
      elements(r, 'warnings', (i) => list.push(stringAt(r, `warnings.${i}`)));
      warnings = list;
    } else if (key === 'data') {
      hasData = true;
      members(r, 'data', (dataKey) => {
        if (dataKey === 'resultType') resultType = stringAt(r, 'data.resultType');
        else if (dataKey === 'result' && r.peek() === C.OpenBracket && isSeriesList(r)) {
          const list: ParsedSeries[] = [];
          elements(r, 'data.result', (i) => list.push(series(r, `data.result.${i}`)));
          result = list;
        } else r.skip();
      });
    } else r.skip();
  });
  r.ws();
  if (r.pos !== bytes.length) throw r.syntax('unexpected data after the answer');

  if (status === 'error') {
    if (errorType === undefined) throw shape('errorType', 'expected a string');
    if (error === undefined) throw shape('error', 'expected a string');
    return { status: 'error', errorType, error };
  }
  if (status !== 'success') throw shape('status', "expected 'success' or 'error'");
  if (!hasData) throw shape('data', 'expected an object');
  const extra = warnings ? { warnings } : {};
  if (resultType === 'scalar' || resultType === 'string') return { status: 'success', resultType, ...extra };
  if (resultType !== 'vector' && resultType !== 'matrix')
    throw shape('data.resultType', "expected 'vector', 'matrix', 'scalar' or 'string'");
  if (!result) throw shape('data.result', 'expected an array of series');
  const list = result;
  const checked = list.map((s, i) => {
    const metric = s.metric;
    if (!metric) throw shape(`data.result.${i}.metric`, 'expected an object of label values');
    if (resultType === 'vector') {
      if (!s.value) throw shape(`data.result.${i}.value`, 'expected a [time, "value"] pair');
      return { metric, t: s.value.t, v: s.value.v };
    }
    if (!s.values) throw shape(`data.result.${i}.values`, 'expected an array');
    return { metric, t: s.values.t, v: s.values.v };
  });
  return resultType === 'vector'
    ? { status: 'success', resultType, result: checked as VectorSeries[], ...extra }
    : { status: 'success', resultType, result: checked as MatrixSeries[], ...extra };
}

/** At a `[`: whether the array holds series (objects) rather than a scalar's [time, "value"]. */
function isSeriesList(r: Reader): boolean {
  const saved = r.pos;
  r.pos++;
  const sample = r.isString() || r.isNumber();
  r.pos = saved;
  return !sample;
}
