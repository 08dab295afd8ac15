// Reuses a tool's answer while nothing it was computed from has changed. Under load the same
// questions come again and again (the 200-client test asks 41 distinct ones), and each answer was
// rebuilt from the same status object, then serialised again: in a CPU profile of that test the tool
// handlers, their null restoration and the JSON of their answers were about a seventh of the server.
//
// An answer is reused only for a tool that declares `reusableAnswer` (its answer depends on its
// arguments, the policies it reads through context.policies and the reference data, nothing else),
// for the same arguments (after validation), the same reference data and the same policies as seen
// by THIS caller: every call still asks the authoriser for the policies its caller may see, and an
// answer is reused only when that list holds exactly the policy objects the answer was built from.
// The watch replaces a policy object whenever the policy changes (and a status file's objects never
// change), so the same object means the same resourceVersion. Policies are remembered by a serial
// number given to each object, not by reference, so that an old answer never keeps an old status
// alive. Errors are never reused; nor an answer whose handler read the clock, nor one for a caller
// who asked for progress notifications.
import type { CarbonCompliancePolicy } from '../operator/public-api.js';
import type { ReferenceData } from './reference-data.js';
import type { ToolAnswer } from './tools/tool-definition.js';

/** One answer with what it was computed from. */
interface MemoEntry {
  reference: ReferenceData;
  /** Each context.policies(namespace) call the handler made, with the serials of what it got. */
  reads: Array<{ namespace: string | undefined; serials: number[] }>;
  answer: ToolAnswer<unknown>;
  /** JSON.stringify(answer.structured), kept because every transport sends it. */
  json: string;
}

/** What one tool call read, recorded while its handler runs. */
export type PolicyReads = MemoEntry['reads'];

/** Answers kept per (tool, arguments): a few, for callers who see different policies. */
const ENTRIES_PER_QUESTION = 4;

const serials = new WeakMap<CarbonCompliancePolicy, number>();
let lastSerial = 0;

/** The serial numbers of some policy objects (a new object gets a new number, never reused). */
export function policySerials(policies: readonly CarbonCompliancePolicy[]): number[] {
  return policies.map((policy) => {
    let serial = serials.get(policy);
    if (serial === undefined) {
      serial = ++lastSerial;
      serials.set(policy, serial);
    }
    return serial;
  });
}

function sameSerials(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

const answerJson = new WeakMap<object, string>();
const answerBytes = new WeakMap<object, Buffer>();

/** The JSON of an answer's structured content, serialised once per answer object. */
export function structuredJson(answer: ToolAnswer<unknown>): string {
  let json = answerJson.get(answer);
  if (json === undefined) {
    json = JSON.stringify(answer.structured);
    answerJson.set(answer, json);
  }
  return json;
}

/** The same JSON as UTF-8 bytes (REST sends it as the body), encoded once per answer object. */
export function structuredJsonBytes(answer: ToolAnswer<unknown>): Buffer {
  let bytes = answerBytes.get(answer);
  if (bytes === undefined) {
    bytes = Buffer.from(structuredJson(answer));
    answerBytes.set(answer, bytes);
  }
  return bytes;
}

export class AnswerMemo {
  /** Question key → its answers; Map order is least recently used first. */
  private readonly questions = new Map<string, MemoEntry[]>();
  private chars = 0;

  /**
   * @param maxJson_chars the total length of the kept answers' JSON (about their size in memory);
   *   the least recently asked questions are forgotten beyond it, and a larger answer than a
   *   quarter of it is not kept.
   */
  constructor(private readonly maxJson_chars: number) {}

  /**
   * A kept answer to `key` that was computed from `reference` and from exactly the policies the
   * caller sees now (`visible(namespace)` applies the caller's authorisation).
   */
  async find(
    key: string,
    reference: ReferenceData,
    visible: (namespace: string | undefined) => Promise<readonly CarbonCompliancePolicy[]>,
  ): Promise<ToolAnswer<unknown> | undefined> {
    const entries = this.questions.get(key);
    if (!entries) return undefined;
    const now = new Map<string | undefined, number[]>();
    for (const entry of entries) {
      if (entry.reference !== reference) continue;
      let same = true;
      for (const read of entry.reads) {
        let serialsNow = now.get(read.namespace);
        if (!serialsNow) {
          serialsNow = policySerials(await visible(read.namespace));
          now.set(read.namespace, serialsNow);
        }
        if (!sameSerials(serialsNow, read.serials)) {
          same = false;
          break;
        }
      }
      if (same) {
        this.questions.delete(key);
        this.questions.set(key, entries);
        return entry.answer;
      }
    }
    return undefined;
  }

  /**
   * Keeps an answer with what it was computed from. Answers are shared from then on: no transport
   * changes one (they serialise them), and the answer may hold parts of the policy status itself.
   */
  keep(key: string, reference: ReferenceData, reads: PolicyReads, answer: ToolAnswer<unknown>): void {
    const json = structuredJson(answer);
    if (json.length > this.maxJson_chars / 4) return;
    const entries = this.questions.get(key) ?? [];
    entries.unshift({ reference, reads, answer, json });
    this.chars += json.length;
    for (const dropped of entries.splice(ENTRIES_PER_QUESTION)) this.chars -= dropped.json.length;
    this.questions.delete(key);
    this.questions.set(key, entries);
    for (const [oldKey, oldEntries] of this.questions) {
      if (this.chars <= this.maxJson_chars) break;
      this.questions.delete(oldKey);
      for (const dropped of oldEntries) this.chars -= dropped.json.length;
    }
  }
}
