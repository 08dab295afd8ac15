// Prometheus text exposition (0.0.4) and OpenMetrics 1.0 parser.
// One pass over the body's UTF-8 bytes (validated once, natively) with Buffer.indexOf and typed-array
// reads; no regular expressions per line and no strings made on the common path: names, label names
// and values stay byte offsets, and a label value becomes a string only when it is asked for. Lines of
// one family repeat the previous line's name and label names, which are then compared, not re-validated.
// A string body is encoded to UTF-8 first (lone surrogates become U+FFFD, as on the wire).
// Strict: anything malformed raises ExpositionParseError with the 1-based line number, and nothing else
// escapes parseExposition (a scrape is untrusted input).
import { isUtf8 } from 'node:buffer';

export type MetricType =
  | 'counter'
  | 'gauge'
  | 'histogram'
  | 'summary'
  | 'untyped'
  | 'unknown'
  | 'info'
  | 'stateset'
  | 'gaugehistogram';

export type ExpositionFormat = 'prometheus-0.0.4' | 'openmetrics-1.0.0';

/**
 * Label spans of all samples of one exposition: 4 int32 per label (nameStart, nameEnd, valueStart,
 * valueEnd) as offsets into the text. A value holding escapes has its start stored as ~start (negative).
 */
class LabelSpans {
  data: Int32Array;
  length = 0;
  constructor(readonly bytes: Buffer) {
    // Sized for about one label per 48 bytes of input (Kepler lines run 40–60 bytes a label), so a large
    // body rarely grows the store by copying; it still grows when labels are denser.
    this.data = new Int32Array(Math.min(Math.max(4096, Math.ceil(bytes.length / 48) * 4), 1 << 24));
  }
  push(nameStart: number, nameEnd: number, valueStart: number, valueEnd: number): void {
    if (this.length + 4 > this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    const d = this.data;
    const i = this.length;
    d[i] = nameStart;
    d[i + 1] = nameEnd;
    d[i + 2] = valueStart;
    d[i + 3] = valueEnd;
    this.length = i + 4;
  }
  value(i: number): string {
    const start = this.data[i + 2]!;
    const end = this.data[i + 3]!;
    return start >= 0 ? this.bytes.toString('utf8', start, end) : unescapeLabelValue(this.bytes, ~start, end);
  }
}

/**
 * One sample line. Labels are kept as offsets into the input and turned into strings only when asked
 * for: most consumers read two or three labels of a sample, never all of them.
 */
export class Sample {
  constructor(
    /** Sample name as written, e.g. `kepler_pod_cpu_joules_total`, `foo_bucket`. */
    readonly name: string,
    readonly value: number,
    /** Milliseconds since the epoch when the line carries a timestamp. */
    readonly timestampMs: number | undefined,
    private readonly spans: LabelSpans | undefined,
    private readonly at: number,
    readonly labelCount: number,
  ) {}

  /** The value of label `name`, or undefined when the sample has no such label. */
  label(name: string): string | undefined {
    const spans = this.spans;
    if (spans === undefined) return undefined;
    const d = spans.data;
    const b = spans.bytes;
    const n = name.length;
    for (let i = this.at, end = this.at + this.labelCount * 4; i < end; i += 4) {
      if (d[i + 1]! - d[i]! !== n) continue;
      // Label names are ASCII (validated), so one byte per character.
      let k = 0;
      const s = d[i]!;
      while (k < n && b[s + k] === name.charCodeAt(k)) k++;
      if (k === n) return spans.value(i);
    }
    return undefined;
  }

  /** Label pairs flattened in written order: [name0, value0, name1, value1, …] (values unescaped). */
  get labels(): string[] {
    const out: string[] = [];
    const spans = this.spans;
    if (spans === undefined) return out;
    for (let i = this.at, end = this.at + this.labelCount * 4; i < end; i += 4) {
      out.push(spans.bytes.toString('latin1', spans.data[i]!, spans.data[i + 1]!), spans.value(i));
    }
    return out;
  }
}

interface MetricFamily {
  /** The family name: the TYPE/HELP name, or the sample name for an undeclared family. */
  readonly name: string;
  type: MetricType;
  help: string | undefined;
  unit: string | undefined;
  readonly samples: Sample[];
}

export interface Exposition {
  readonly format: ExpositionFormat;
  readonly families: Map<string, MetricFamily>;
  /** Size of the parsed body in bytes (UTF-8). */
  readonly bytes: number;
  readonly sampleCount: number;
}

export interface ParseOptions {
  /** Refuse bodies larger than this (UTF-8 bytes). Default 64 MiB. */
  maxBytes?: number;
  /** 'auto' (default) treats a body ending in `# EOF` as OpenMetrics. */
  format?: 'auto' | ExpositionFormat;
}

const DEFAULT_MAX_EXPOSITION_BYTES = 64 * 1024 * 1024;

export class ExpositionParseError extends Error {
  /** 1-based line of the offending input; 0 when the error concerns the whole body. */
  readonly line: number;
  constructor(line: number, message: string) {
    super(line > 0 ? `line ${line}: ${message}` : message);
    this.name = 'ExpositionParseError';
    this.line = line;
  }
}

/** Label value lookup (same as `sample.label(name)`). */
export function labelValue(sample: Sample, name: string): string | undefined {
  return sample.label(name);
}

/** Labels as a plain object (for tests and slow paths; the parser itself never builds these). */
export function labelObject(sample: Sample): Record<string, string> {
  const out: Record<string, string> = {};
  const l = sample.labels;
  for (let i = 0; i < l.length; i += 2) out[l[i]!] = l[i + 1]!;
  return out;
}

/**
 * All samples with exactly this sample name, whichever family holds them (a 0.0.4 counter family is
 * named `x_total`; the same counter in OpenMetrics is family `x` with samples `x_total`).
 */
export function samplesNamed(exposition: Exposition, sampleName: string): Sample[] {
  const direct = exposition.families.get(sampleName);
  if (direct && (direct.samples.length === 0 || direct.samples[0]!.name === sampleName)) {
    if (direct.samples.every((s) => s.name === sampleName)) return direct.samples;
    return direct.samples.filter((s) => s.name === sampleName);
  }
  for (const suffix of SUFFIXES) {
    if (!sampleName.endsWith(suffix)) continue;
    const family = exposition.families.get(sampleName.slice(0, -suffix.length));
    if (family) return family.samples.filter((s) => s.name === sampleName);
  }
  return direct ? direct.samples.filter((s) => s.name === sampleName) : [];
}

const SUFFIXES = ['_total', '_created', '_bucket', '_sum', '_count', '_info', '_gcount', '_gsum'];

const PROMETHEUS_TYPES: ReadonlySet<string> = new Set([
  'counter',
  'gauge',
  'histogram',
  'summary',
  'untyped',
]);
const OPENMETRICS_TYPES: ReadonlySet<string> = new Set([
  'counter',
  'gauge',
  'histogram',
  'gaugehistogram',
  'summary',
  'info',
  'stateset',
  'unknown',
]);

/** Which sample-name suffixes belong to a family of each type. */
function suffixesFor(type: MetricType, openMetrics: boolean): readonly string[] {
  switch (type) {
    case 'counter':
      return openMetrics ? ['_total', '_created'] : [];
    case 'histogram':
      return openMetrics ? ['_bucket', '_sum', '_count', '_created'] : ['_bucket', '_sum', '_count'];
    case 'summary':
      return openMetrics ? ['_sum', '_count', '_created'] : ['_sum', '_count'];
    case 'gaugehistogram':
      return ['_bucket', '_gsum', '_gcount'];
    case 'info':
      return ['_info'];
    default:
      return [];
  }
}

/** Does a family whose samples may carry no suffix accept the bare family name as a sample name? */
function acceptsBareName(type: MetricType, openMetrics: boolean): boolean {
  if (!openMetrics) return type !== 'histogram';
  return type === 'gauge' || type === 'unknown' || type === 'stateset' || type === 'summary';
}

const C_TAB = 9;
const C_LF = 10;
const C_CR = 13;
const C_SPACE = 32;
const C_QUOTE = 34;
const C_HASH = 35;
const C_PLUS = 43;
const C_COMMA = 44;
const C_MINUS = 45;
const C_DOT = 46;
const C_0 = 48;
const C_9 = 57;
const C_COLON = 58;
const C_EQ = 61;
const C_UNDERSCORE = 95;
const C_BACKSLASH = 92;
const C_LBRACE = 123;
const C_RBRACE = 125;

/** 1 = may start a name, 2 = may continue one (ASCII letters, `_`, digits). */
const NAME_CLASS = new Uint8Array(65536);
for (let c = 0; c < 128; c++) {
  const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === C_UNDERSCORE;
  const digit = c >= C_0 && c <= C_9;
  NAME_CLASS[c] = letter ? 3 : digit ? 2 : 0;
}
function isNameStart(c: number): boolean {
  return (NAME_CLASS[c]! & 1) !== 0;
}
function isNameChar(c: number): boolean {
  return NAME_CLASS[c]! > 0;
}

export function parseExposition(input: string | Uint8Array, options: ParseOptions = {}): Exposition {
  try {
    return new Parser(decode(input, options.maxBytes ?? DEFAULT_MAX_EXPOSITION_BYTES), options).run();
  } catch (err) {
    if (err instanceof ExpositionParseError) throw err;
    // Engine limits (stack, string length) on hostile input still surface as a parse error.
    throw new ExpositionParseError(
      0,
      `exposition could not be parsed: ${(err as Error)?.message ?? String(err)}`,
    );
  }
}

/**
 * The body as bytes. Parsing works on bytes (typed-array reads are several times cheaper than
 * charCodeAt on a large string) and decodes to strings only what is kept: names, HELP, label values.
 */
function decode(input: string | Uint8Array, maxBytes: number): { b: Buffer; bytes: number } {
  if (typeof input === 'string') {
    const bytes = Buffer.byteLength(input, 'utf8');
    if (bytes > maxBytes)
      throw new ExpositionParseError(0, `exposition is ${bytes} bytes, over the ${maxBytes}-byte limit`);
    // Equal lengths mean every character is ASCII, and then the cheaper one-byte copy is the same bytes.
    const b = bytes === input.length ? Buffer.from(input, 'latin1') : Buffer.from(input, 'utf8');
    return { b, bytes: b.byteLength };
  }
  if (input.byteLength > maxBytes) {
    throw new ExpositionParseError(
      0,
      `exposition is ${input.byteLength} bytes, over the ${maxBytes}-byte limit`,
    );
  }
  // One native pass; afterwards any byte range between ASCII delimiters is itself valid UTF-8.
  if (!isUtf8(input)) throw new ExpositionParseError(0, 'exposition is not valid UTF-8');
  const b = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  return { b, bytes: input.byteLength };
}

class Parser {
  private readonly b: Buffer;
  private readonly dv: DataView;
  private readonly len: number;
  private readonly bytes: number;
  private readonly openMetrics: boolean;
  private readonly families = new Map<string, MetricFamily>();
  /** Series keys per family, to reject duplicates. */
  private readonly seen = new Map<MetricFamily, SeriesIndex>();
  private seriesFamily: MetricFamily | undefined;
  private seriesIndex: SeriesIndex | undefined;
  /** End offset of the number last read by number(). */
  private numberEnd = 0;
  /** Families that already received samples (a TYPE after samples is an error). */
  private readonly hasSamples = new Set<MetricFamily>();
  private readonly typed = new Set<MetricFamily>();
  private current: MetricFamily | undefined;
  private currentSuffixes: readonly string[] = [];
  private currentBare = true;
  private lineNo = 0;
  /** Offset of the next backslash at or after the last value read (Infinity when there is none). */
  private nextBackslash = -1;
  private sampleCount = 0;
  private sawEof = false;
  private readonly spans: LabelSpans;
  private prevName = '';
  /** Where the previous sample line's name starts (its bytes spell prevName). */
  private prevNameStart = 0;
  /** Set by labelSet: whether the label text just read is already in canonical form. */
  private canonical = true;
  /** Set by labelSet: whether the label names just read are strictly ascending. */
  private sorted = true;
  /** The previous sample's label spans (offset into the span store, count) and whether they were sorted. */
  private templateAt = 0;
  private templateCount = 0;
  private templateSorted = false;

  constructor(decoded: { b: Buffer; bytes: number }, options: ParseOptions) {
    this.b = decoded.b;
    this.dv = new DataView(decoded.b.buffer, decoded.b.byteOffset, decoded.b.byteLength);
    this.len = decoded.b.length;
    this.bytes = decoded.bytes;
    this.spans = new LabelSpans(decoded.b);
    const format = options.format ?? 'auto';
    this.openMetrics = format === 'auto' ? endsWithEof(this.b) : format === 'openmetrics-1.0.0';
  }

  /**
   * Lexicographic comparison of two byte ranges. Four bytes per step through a big-endian DataView
   * read (consecutive series keys share long prefixes); a native Buffer.compare costs more per call.
   */
  private compareBytes(aStart: number, aEnd: number, bStart: number, bEnd: number): number {
    const dv = this.dv;
    const b = this.b;
    const aLen = aEnd - aStart;
    const bLen = bEnd - bStart;
    const n = aLen < bLen ? aLen : bLen;
    let i = 0;
    while (i + 4 <= n && dv.getUint32(aStart + i) === dv.getUint32(bStart + i)) i += 4;
    while (i < n) {
      const d = b[aStart + i]! - b[bStart + i]!;
      if (d !== 0) return d;
      i++;
    }
    return aLen - bLen;
  }

  /** Bytes [start, end) as a string (the input is valid UTF-8, checked once up front). */
  private str(start: number, end: number): string {
    return this.b.toString('utf8', start, end);
  }

  private fail(message: string): never {
    throw new ExpositionParseError(this.lineNo, message);
  }

  run(): Exposition {
    const b = this.b;
    const len = this.len;
    let pos = 0;
    while (pos < len) {
      this.lineNo++;
      let end = b.indexOf(C_LF, pos);
      if (end === -1) end = len;
      let lineEnd = end;
      if (lineEnd > pos && b[lineEnd - 1]! === C_CR) lineEnd--;
      if (this.sawEof) this.fail('content after "# EOF"');
      if (pos === lineEnd) {
        if (this.openMetrics) this.fail('empty line (not allowed in OpenMetrics)');
      } else if (b[pos]! === C_HASH) {
        this.comment(pos + 1, lineEnd);
      } else {
        this.sample(pos, lineEnd);
      }
      pos = end + 1;
    }
    if (this.openMetrics && !this.sawEof) this.fail('OpenMetrics exposition does not end with "# EOF"');
    return {
      format: this.openMetrics ? 'openmetrics-1.0.0' : 'prometheus-0.0.4',
      families: this.families,
      bytes: this.bytes,
      sampleCount: this.sampleCount,
    };
  }

  private skipBlanks(p: number, end: number): number {
    const b = this.b;
    while (p < end) {
      const c = b[p]!;
      if (c !== C_SPACE && c !== C_TAB) break;
      p++;
    }
    return p;
  }

  private tokenEnd(p: number, end: number): number {
    const b = this.b;
    while (p < end) {
      const c = b[p]!;
      if (c === C_SPACE || c === C_TAB) break;
      p++;
    }
    return p;
  }

  /** Scans a metric name; returns its end (== start when there is none). */
  private metricNameEnd(p: number, end: number): number {
    const b = this.b;
    if (p >= end) return p;
    const c0 = b[p]!;
    if (!isNameStart(c0) && c0 !== C_COLON) return p;
    p++;
    while (p < end) {
      const c = b[p]!;
      if (!isNameChar(c) && c !== C_COLON) break;
      p++;
    }
    return p;
  }

  private comment(p: number, end: number): void {
    const b = this.b;
    if (this.openMetrics) {
      if (b[p]! !== C_SPACE) this.fail('OpenMetrics comment must start with "# "');
      p++;
    } else {
      p = this.skipBlanks(p, end);
    }
    const kwEnd = this.tokenEnd(p, end);
    const kw = this.str(p, kwEnd);
    if (kw === 'EOF' && this.openMetrics) {
      if (kwEnd !== end) this.fail('unexpected text after "# EOF"');
      this.sawEof = true;
      return;
    }
    if (kw !== 'HELP' && kw !== 'TYPE' && kw !== 'UNIT') {
      if (this.openMetrics) this.fail(`unknown OpenMetrics descriptor "# ${kw}"`);
      return; // a plain comment in 0.0.4
    }
    if (kw === 'UNIT' && !this.openMetrics) return; // not a 0.0.4 keyword: an ordinary comment
    p = kwEnd;
    if (p >= end) this.fail(`"# ${kw}" without a metric name`);
    p = this.openMetrics ? p + 1 : this.skipBlanks(p, end);
    const nameEnd = this.metricNameEnd(p, end);
    if (nameEnd === p) this.fail(`"# ${kw}" has an invalid metric name`);
    if (nameEnd < end && b[nameEnd]! !== C_SPACE && b[nameEnd]! !== C_TAB) {
      this.fail(`"# ${kw}" has an invalid metric name`);
    }
    const name = this.str(p, nameEnd);
    // The descriptor text: 0.0.4 allows any blanks before it; OpenMetrics exactly one space.
    let restStart = nameEnd;
    if (restStart < end) restStart = this.openMetrics ? restStart + 1 : this.skipBlanks(restStart, end);
    const family = this.familyForDescriptor(name);
    if (kw === 'HELP') {
      if (family.help !== undefined) this.fail(`second HELP line for "${name}"`);
      family.help = this.unescapeDescriptor(restStart, end);
    } else if (kw === 'TYPE') {
      const typeEnd = this.openMetrics ? end : this.tokenEnd(restStart, end);
      const typeText = this.str(restStart, typeEnd);
      if (!this.openMetrics && this.skipBlanks(typeEnd, end) !== end) {
        this.fail(`unexpected text after the type of "${name}"`);
      }
      const known = this.openMetrics ? OPENMETRICS_TYPES : PROMETHEUS_TYPES;
      if (!known.has(typeText)) this.fail(`unknown metric type "${typeText}" for "${name}"`);
      if (this.typed.has(family)) this.fail(`second TYPE line for "${name}"`);
      if (this.hasSamples.has(family)) this.fail(`TYPE line for "${name}" after its samples`);
      family.type = typeText as MetricType;
      this.typed.add(family);
    } else {
      if (family.unit !== undefined) this.fail(`second UNIT line for "${name}"`);
      const unit = this.str(restStart, end);
      if (unit.length > 0 && !name.endsWith('_' + unit)) {
        this.fail(`metric "${name}" must end with its unit "_${unit}"`);
      }
      family.unit = unit;
    }
    this.setCurrent(family);
  }

  /** A family first seen without a TYPE line: untyped (text format) or unknown (OpenMetrics). */
  private newFamily(name: string): MetricFamily {
    const family: MetricFamily = {
      name,
      type: this.openMetrics ? 'unknown' : 'untyped',
      help: undefined,
      unit: undefined,
      samples: [],
    };
    this.families.set(name, family);
    return family;
  }

  private familyForDescriptor(name: string): MetricFamily {
    let family = this.families.get(name);
    if (!family) {
      family = this.newFamily(name);
    } else if (this.openMetrics && family !== this.current) {
      this.fail(`metric family "${name}" is not in one group`);
    }
    return family;
  }

  private setCurrent(family: MetricFamily): void {
    if (this.current === family) {
      this.currentSuffixes = suffixesFor(family.type, this.openMetrics);
      this.currentBare = acceptsBareName(family.type, this.openMetrics);
      return;
    }
    this.current = family;
    this.currentSuffixes = suffixesFor(family.type, this.openMetrics);
    this.currentBare = acceptsBareName(family.type, this.openMetrics);
  }

  /** HELP text: 0.0.4 knows the escapes \\ and \n; OpenMetrics also \". */
  private unescapeDescriptor(start: number, end: number): string {
    const b = this.b;
    let bs = b.indexOf(C_BACKSLASH, start);
    if (bs === -1 || bs >= end) return this.str(start, end);
    const parts: string[] = [];
    let from = start;
    while (bs !== -1 && bs < end) {
      parts.push(this.str(from, bs));
      const next = bs + 1 < end ? b[bs + 1]! : -1;
      if (next === C_BACKSLASH) parts.push('\\');
      else if (next === 110) parts.push('\n');
      else if (next === C_QUOTE && this.openMetrics) parts.push('"');
      else this.fail('invalid escape sequence in HELP text');
      from = bs + 2;
      bs = b.indexOf(C_BACKSLASH, from);
    }
    parts.push(this.str(from, end));
    return parts.join('');
  }

  private familyForSample(name: string): MetricFamily {
    const cur = this.current;
    if (cur !== undefined) {
      if (name === cur.name) {
        if (this.currentBare) return cur;
      } else if (name.length > cur.name.length && name.startsWith(cur.name)) {
        const suffixes = this.currentSuffixes;
        for (let i = 0; i < suffixes.length; i++) {
          if (name.length === cur.name.length + suffixes[i]!.length && name.endsWith(suffixes[i]!))
            return cur;
        }
      }
    }
    let family = this.families.get(name);
    if (family === undefined) {
      // A sample of a typed family declared earlier (e.g. foo_sum after foo's group was left).
      for (const suffix of SUFFIXES) {
        if (!name.endsWith(suffix)) continue;
        const base = this.families.get(name.slice(0, -suffix.length));
        if (base && suffixesFor(base.type, this.openMetrics).includes(suffix)) {
          family = base;
          break;
        }
      }
    }
    if (family === undefined) {
      family = this.newFamily(name);
    } else if (this.openMetrics && family !== cur) {
      this.fail(`metric family "${family.name}" is not in one group`);
    } else if (family.name === name && !acceptsBareName(family.type, this.openMetrics)) {
      this.fail(`sample "${name}" needs a suffix for a ${family.type} family`);
    }
    this.setCurrent(family);
    return family;
  }

  private sample(start: number, end: number): void {
    const b = this.b;
    // The usual line repeats the previous sample's name: one native comparison (a validated name
    // followed by a delimiter) instead of validating every character again.
    let name = this.prevName;
    const nameLen = name.length;
    let nameEnd = start + nameLen;
    const after = nameEnd < end ? b[nameEnd]! : -1;
    let same = nameLen > 0 && (after === C_LBRACE || after === C_SPACE || after === C_TAB);
    if (same) {
      // Compared in place with the previous line's name: no string is made for a repeated name.
      same = this.compareBytes(this.prevNameStart, this.prevNameStart + nameLen, start, nameEnd) === 0;
    }
    if (!same) {
      nameEnd = this.metricNameEnd(start, end);
      if (nameEnd === start) this.fail('invalid metric name');
      name = this.b.toString('latin1', start, nameEnd);
      this.prevName = name;
    }
    // The previous line starts with the same name bytes: a key comparison with it can skip them.
    const sameNameAs = same ? this.prevNameStart : -1;
    this.prevNameStart = start;
    let p = this.openMetrics ? nameEnd : this.skipBlanks(nameEnd, end);
    const spans = this.spans;
    const at = spans.length;
    let keyEnd = nameEnd;
    let canonical = true;
    if (p < end && b[p]! === C_LBRACE) {
      const braceAt = p;
      p = this.labelSet(p + 1, end);
      canonical = this.canonical && braceAt === nameEnd;
      keyEnd = p;
    }
    const labelCount = (spans.length - at) >> 2;
    if (labelCount > 0) {
      this.templateAt = at;
      this.templateCount = labelCount;
      this.templateSorted = this.sorted;
    }
    if (keyEnd === nameEnd && p > nameEnd) {
      // 0.0.4 without labels: the blanks before the value were already skipped.
    } else {
      if (p >= end) this.fail(`sample "${name}" has no value`);
      const c = b[p]!;
      if (c !== C_SPACE && c !== C_TAB) this.fail(`unexpected character after "${name}"`);
      p = this.openMetrics ? p + 1 : this.skipBlanks(p, end);
    }
    if (p >= end) this.fail(`sample "${name}" has no value`);
    let value = this.number(p, end);
    let valueEnd = this.numberEnd;
    if (valueEnd < end && b[valueEnd]! !== C_SPACE && b[valueEnd]! !== C_TAB) value = undefined;
    if (value === undefined) {
      valueEnd = this.tokenEnd(p, end);
      value = special(this.str(p, valueEnd));
      if (value === undefined) this.fail(`invalid sample value "${this.str(p, valueEnd)}" for "${name}"`);
    }
    p = valueEnd;
    let timestampMs: number | undefined;
    if (p < end) {
      p = this.openMetrics ? p + 1 : this.skipBlanks(p, end);
      if (p < end && b[p]! !== C_HASH) {
        const tsEnd = this.tokenEnd(p, end);
        timestampMs = this.timestamp(p, tsEnd);
        p = tsEnd;
        if (p < end) p = this.openMetrics ? p + 1 : this.skipBlanks(p, end);
      }
      if (p < end) {
        if (this.openMetrics && b[p]! === C_HASH) this.exemplar(p + 1, end);
        else this.fail(`unexpected text after the value of "${name}"`);
      }
    }

    const family = this.familyForSample(name);
    // Series identity: the name plus the label set. Sorted, escape-free, blank-free label text is already
    // canonical, so its input bytes serve as the key; anything else is rebuilt in canonical form.
    let index = this.seriesIndex;
    if (this.seriesFamily !== family) {
      index = this.seen.get(family);
      if (index === undefined) {
        index = { lastStart: -1, lastEnd: -1, ranges: [], set: undefined };
        this.seen.set(family, index);
        this.hasSamples.add(family);
      }
      this.seriesFamily = family;
      this.seriesIndex = index;
    }
    const keyStart = start;
    if (labelCount === 0) keyEnd = nameEnd;
    else if (!canonical) keyEnd = -1;
    // Exporters write a family's series in sorted order, and strictly increasing keys cannot repeat: a
    // byte comparison with the previous key, in place, replaces hashing. Out-of-order or non-canonical
    // input falls back to a set of key strings.
    if (index!.set === undefined) {
      if (
        keyEnd >= 0 &&
        (index!.lastStart < 0 ||
          (index!.lastStart === sameNameAs
            ? this.compareBytes(sameNameAs + nameLen, index!.lastEnd, keyStart + nameLen, keyEnd)
            : this.compareBytes(index!.lastStart, index!.lastEnd, keyStart, keyEnd)) < 0)
      ) {
        index!.lastStart = keyStart;
        index!.lastEnd = keyEnd;
        index!.ranges.push(keyStart, keyEnd);
      } else {
        const set = new Set<string>();
        const ranges = index!.ranges;
        for (let i = 0; i < ranges.length; i += 2) set.add(this.str(ranges[i]!, ranges[i + 1]!));
        index!.set = set;
        index!.ranges = [];
      }
    }
    if (index!.set !== undefined) {
      const key = keyEnd >= 0 ? this.str(keyStart, keyEnd) : canonicalKey(name, spans, at, labelCount);
      if (index!.set.has(key)) this.fail(`duplicate series ${key}`);
      index!.set.add(key);
    }
    family.samples.push(
      new Sample(name, value, timestampMs, labelCount === 0 ? undefined : spans, at, labelCount),
    );
    this.sampleCount++;
  }

  /**
   * Parses `name="value",…}` after the opening brace into the span store; returns the offset after `}`.
   * Sets `this.canonical` to whether the label text is sorted, blank-free and escape-free.
   */
  private labelSet(p: number, end: number): number {
    const b = this.b;
    const spans = this.spans;
    let canonical = true;
    let sorted = true;
    const first = spans.length;
    let prevStart = -1;
    let prevEnd = -1;
    const blank0 = p;
    p = this.skipBlanks(p, end);
    if (p !== blank0) canonical = false;
    if (p < end && b[p]! === C_RBRACE) {
      this.canonical = canonical;
      this.sorted = true;
      return p + 1;
    }
    // The previous sample's label names: lines of one family repeat them, so a name equal to the one
    // at the same position there is already validated (and, if that set was sorted, so is the order).
    const tplAt = this.templateAt;
    const tplCount = this.templateCount;
    const tplSorted = this.templateSorted;
    let prevMatched = true;
    for (let k = 0; ; k++) {
      const nameStart = p;
      let order = prevStart < 0 ? 1 : 0; // sign of (this name − previous name) once known
      let matched = false;
      if (k < tplCount) {
        const d = spans.data;
        const ts = d[tplAt + k * 4]!;
        const after = nameStart + (d[tplAt + k * 4 + 1]! - ts);
        if (
          after < end &&
          !isNameChar(b[after]!) &&
          this.compareBytes(ts, d[tplAt + k * 4 + 1]!, nameStart, after) === 0
        ) {
          matched = true;
          p = after;
          if (order === 0)
            order = prevMatched && tplSorted ? 1 : this.compareBytes(nameStart, p, prevStart, prevEnd);
        }
      }
      if (!matched) {
        // Validated in place and kept as offsets (no string is made for a name while parsing); in the
        // same pass compared with the previous label name for sort order.
        if (p >= end || !isNameStart(b[p]!)) this.fail('invalid label name');
        const prevLen = prevEnd - prevStart;
        for (;;) {
          const c = p < end ? b[p]! : -1;
          if (!isNameChar(c)) break;
          if (order === 0) {
            const i = p - nameStart;
            order = i >= prevLen ? 1 : c - b[prevStart + i]!;
          }
          p++;
        }
        if (order === 0 && p - nameStart < prevLen) order = -1;
      }
      prevMatched = matched;
      const nameEnd = p;
      if (order <= 0) sorted = false;
      prevStart = nameStart;
      prevEnd = nameEnd;
      p = nameEnd;
      let q = this.skipBlanks(p, end);
      if (q !== p) canonical = false;
      if (q >= end || b[q]! !== C_EQ) this.failLabel('expected "=" after label name', nameStart, nameEnd);
      p = this.skipBlanks(q + 1, end);
      if (p !== q + 1) canonical = false;
      if (p >= end || b[p]! !== C_QUOTE)
        this.failLabel('expected a quoted value for label', nameStart, nameEnd);
      const valueStart = p + 1;
      // Native searches for the closing quote and for the next backslash anywhere ahead (usually none).
      const close = b.indexOf(C_QUOTE, valueStart);
      if (close === -1 || close >= end) this.failLabel('unterminated value for label', nameStart, nameEnd);
      if (this.nextBackslash < valueStart) {
        const bs = b.indexOf(C_BACKSLASH, valueStart);
        this.nextBackslash = bs === -1 ? Infinity : bs;
      }
      if (this.nextBackslash < close) {
        p = this.escapedValueEnd(valueStart, end, nameStart, nameEnd);
        spans.push(nameStart, nameEnd, ~valueStart, p - 1);
        canonical = false;
      } else {
        spans.push(nameStart, nameEnd, valueStart, close);
        p = close + 1;
      }
      q = this.skipBlanks(p, end);
      if (q !== p) canonical = false;
      p = q;
      if (p >= end) this.fail('unterminated label set');
      const c = b[p]!;
      if (c === C_COMMA) {
        q = this.skipBlanks(p + 1, end);
        if (q !== p + 1) canonical = false;
        p = q;
        if (p < end && b[p]! === C_RBRACE) {
          if (this.openMetrics) this.fail('trailing comma in label set');
          canonical = false;
          p++;
          break;
        }
        continue;
      }
      if (c === C_RBRACE) {
        p++;
        break;
      }
      this.failLabel('expected "," or "}" after the value of label', nameStart, nameEnd);
    }
    // Strictly ascending names cannot repeat; otherwise look for a duplicate.
    if (!sorted) {
      canonical = false;
      const d = spans.data;
      for (let i = first + 4; i < spans.length; i += 4) {
        for (let j = first; j < i; j += 4) {
          if (compareRanges(b, d[j]!, d[j + 1]!, d[i]!, d[i + 1]!) === 0)
            this.failLabel('duplicate label', d[i]!, d[i + 1]!);
        }
      }
    }
    this.canonical = canonical;
    this.sorted = sorted;
    return p;
  }

  private failLabel(message: string, nameStart: number, nameEnd: number): never {
    return this.fail(`${message} "${this.str(nameStart, nameEnd)}"`);
  }

  /** Validates a label value with escapes (\\ \" \n only); returns the offset after its closing quote. */
  private escapedValueEnd(start: number, end: number, nameStart: number, nameEnd: number): number {
    const b = this.b;
    let p = start;
    while (p < end) {
      const c = b[p]!;
      if (c === C_QUOTE) {
        const bs = b.indexOf(C_BACKSLASH, p + 1);
        this.nextBackslash = bs === -1 ? Infinity : bs;
        return p + 1;
      }
      if (c === C_BACKSLASH) {
        const n = p + 1 < end ? b[p + 1]! : -1;
        if (n !== C_BACKSLASH && n !== C_QUOTE && n !== 110) {
          this.failLabel('invalid escape sequence in the value of label', nameStart, nameEnd);
        }
        p += 2;
        continue;
      }
      p++;
    }
    return this.failLabel('unterminated value for label', nameStart, nameEnd);
  }

  /** A whole token [start, end) as a float, including NaN and ±Inf; undefined when invalid. */
  private numberToken(start: number, end: number): number | undefined {
    const v = this.number(start, end);
    if (v !== undefined && this.numberEnd === end) return v;
    return special(this.str(start, end));
  }

  /**
   * Reads a decimal float (optional sign, digits, fraction, exponent) starting at `start`; sets
   * `numberEnd` to where it stopped. Undefined when no number starts there (NaN/Inf are the caller's).
   */
  private number(start: number, end: number): number | undefined {
    const b = this.b;
    let p = start;
    let c = p < end ? b[p]! : -1;
    let negative = false;
    if (c === C_PLUS || c === C_MINUS) {
      negative = c === C_MINUS;
      p++;
      c = p < end ? b[p]! : -1;
    }
    // Mantissa digits as an integer while it stays exact (at most 15 significant digits).
    let mantissa = 0;
    let digits = 0;
    let intDigits = 0;
    while (c >= C_0 && c <= C_9) {
      if (digits > 0 || c !== C_0) {
        mantissa = mantissa * 10 + (c - C_0);
        digits++;
      }
      intDigits++;
      p++;
      c = p < end ? b[p]! : -1;
    }
    let fracDigits = 0;
    let scale = 0;
    if (c === C_DOT) {
      p++;
      c = p < end ? b[p]! : -1;
      while (c >= C_0 && c <= C_9) {
        if (digits > 0 || c !== C_0) {
          mantissa = mantissa * 10 + (c - C_0);
          digits++;
        }
        fracDigits++;
        scale--;
        p++;
        c = p < end ? b[p]! : -1;
      }
    }
    if (intDigits + fracDigits === 0) {
      this.numberEnd = start;
      return undefined;
    }
    let exponent = 0;
    if (c === 101 || c === 69) {
      // e / E
      p++;
      c = p < end ? b[p]! : -1;
      let expNegative = false;
      if (c === C_PLUS || c === C_MINUS) {
        expNegative = c === C_MINUS;
        p++;
        c = p < end ? b[p]! : -1;
      }
      const expStart = p;
      while (c >= C_0 && c <= C_9) {
        if (exponent < 100000) exponent = exponent * 10 + (c - C_0);
        p++;
        c = p < end ? b[p]! : -1;
      }
      if (p === expStart) {
        this.numberEnd = start;
        return undefined;
      }
      if (expNegative) exponent = -exponent;
    }
    this.numberEnd = p;
    // Exact fast path (Clinger): an exact integer mantissa times or divided by an exact power of ten is
    // correctly rounded by one IEEE operation. Everything else goes to the engine's parser.
    const e10 = scale + exponent;
    if (digits <= 15) {
      let v: number | undefined;
      if (e10 === 0) v = mantissa;
      else if (e10 > 0 && e10 <= 22) v = mantissa * POW10[e10]!;
      else if (e10 < 0 && e10 >= -22) v = mantissa / POW10[-e10]!;
      if (v !== undefined) return negative ? -v : v;
    }
    return Number(this.str(start, p));
  }

  private timestamp(start: number, end: number): number {
    const b = this.b;
    if (this.openMetrics) {
      const seconds = this.numberToken(start, end);
      if (seconds === undefined || !Number.isFinite(seconds))
        this.fail(`invalid timestamp "${this.str(start, end)}"`);
      return seconds * 1000;
    }
    // 0.0.4: an integer number of milliseconds.
    let p = start;
    const c0 = b[p]!;
    if (c0 === C_MINUS || c0 === C_PLUS) p++;
    if (p >= end) this.fail(`invalid timestamp "${this.str(start, end)}"`);
    for (; p < end; p++) {
      const c = b[p]!;
      if (c < C_0 || c > C_9) this.fail(`invalid timestamp "${this.str(start, end)}"`);
    }
    const ms = Number(this.str(start, end));
    if (!Number.isSafeInteger(ms)) this.fail(`timestamp "${this.str(start, end)}" is out of range`);
    return ms;
  }

  /** OpenMetrics exemplar ` # {labels} value [timestamp]`: validated, not kept. */
  private exemplar(p: number, end: number): void {
    const b = this.b;
    if (b[p]! !== C_SPACE || b[p + 1]! !== C_LBRACE) this.fail('invalid exemplar');
    const mark = this.spans.length;
    p = this.labelSet(p + 2, end);
    this.spans.length = mark;
    if (p >= end || b[p]! !== C_SPACE) this.fail('exemplar without a value');
    const vEnd = this.tokenEnd(p + 1, end);
    if (this.numberToken(p + 1, vEnd) === undefined) this.fail('invalid exemplar value');
    if (vEnd < end) {
      const tsEnd = this.tokenEnd(vEnd + 1, end);
      if (tsEnd !== end || this.numberToken(vEnd + 1, tsEnd) === undefined)
        this.fail('invalid exemplar timestamp');
    }
  }
}

interface SeriesIndex {
  /** Byte range of the last key while keys arrive in strictly increasing order; -1 before the first. */
  lastStart: number;
  lastEnd: number;
  /** Key ranges (start, end pairs) seen in order, kept to seed the set if the order breaks. */
  ranges: number[];
  set: Set<string> | undefined;
}

const POW10: number[] = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

function special(token: string): number | undefined {
  switch (token.toLowerCase()) {
    case 'nan':
      return NaN;
    case '+inf':
    case 'inf':
    case '+infinity':
    case 'infinity':
      return Infinity;
    case '-inf':
    case '-infinity':
      return -Infinity;
    default:
      return undefined;
  }
}

function endsWithEof(b: Buffer): boolean {
  let end = b.length;
  if (end > 0 && b[end - 1] === C_LF) end--;
  if (end > 0 && b[end - 1] === C_CR) end--;
  if (end < 5 || b.toString('latin1', end - 5, end) !== '# EOF') return false;
  return end === 5 || b[end - 6] === C_LF;
}

/** Canonical series key: name{a="x",b="y"} with labels sorted by name and values escaped. */
function canonicalKey(name: string, spans: LabelSpans, at: number, count: number): string {
  const pairs: Array<[string, string]> = [];
  for (let i = at; i < at + count * 4; i += 4) {
    pairs.push([spans.bytes.toString('latin1', spans.data[i]!, spans.data[i + 1]!), spans.value(i)]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return `${name}{${pairs.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

function compareRanges(b: Buffer, aStart: number, aEnd: number, bStart: number, bEnd: number): number {
  const n = Math.min(aEnd - aStart, bEnd - bStart);
  for (let i = 0; i < n; i++) {
    const d = b[aStart + i]! - b[bStart + i]!;
    if (d !== 0) return d;
  }
  return aEnd - aStart - (bEnd - bStart);
}

function unescapeLabelValue(b: Buffer, start: number, end: number): string {
  const parts: string[] = [];
  let from = start;
  let bs = b.indexOf(C_BACKSLASH, start);
  while (bs !== -1 && bs < end) {
    parts.push(b.toString('utf8', from, bs));
    const n = b[bs + 1];
    parts.push(n === 110 ? '\n' : n === C_QUOTE ? '"' : '\\');
    from = bs + 2;
    bs = b.indexOf(C_BACKSLASH, from);
  }
  parts.push(b.toString('utf8', from, end));
  return parts.join('');
}

export function escapeLabelValue(value: string): string {
  if (value.indexOf('\\') === -1 && value.indexOf('"') === -1 && value.indexOf('\n') === -1) return value;
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
