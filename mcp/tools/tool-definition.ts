// The shape of one tool: a name, its schemas and a handler. Transports (MCP, REST) only adapt this.
import type { z } from 'zod';
import type { CarbonCompliancePolicy, Language } from '../../operator/public-api.js';
import type { ReferenceData } from '../reference-data.js';

interface ToolContext {
  /**
   * Policies the caller may see (namespace authorisation already applied), from the watched cache;
   * only those of `namespace` when given, so that only that namespace's access is reviewed.
   */
  policies(namespace?: string): Promise<readonly CarbonCompliancePolicy[]>;
  /** Progress for long lists; a no-op when the caller did not ask for it. */
  progress(done: number, total: number, message: string): Promise<void>;
  /** Set when the caller cancelled the request. */
  signal?: AbortSignal;
  /** Standards, grid profiles and regions (operator/reference-data), for what-ifs. */
  reference: ReferenceData;
  now(): Date;
}

export interface ToolAnswer<Output> {
  structured: Output;
  /** A short human summary in the policy's language. */
  summary: string;
  language: Language;
}

export interface ToolDefinition<
  Input extends z.ZodObject = z.ZodObject,
  Output extends z.ZodType = z.ZodType,
> {
  name: string;
  title: string;
  description: string;
  inputSchema: Input;
  outputSchema: Output;
  /**
   * True when the answer depends on the arguments, the policies read through context.policies and
   * the reference data alone (no clock, no progress that changes it): runTool may then give a
   * caller an earlier answer built from exactly the policies that caller sees now (answer-memo.ts).
   */
  reusableAnswer?: boolean;
  handler(args: z.output<Input>, context: ToolContext): Promise<ToolAnswer<z.output<Output>>>;
}

/** Every tool here only reads status the operator wrote: same answer for the same cluster state. */
export const readOnlyAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;

/** Lets each tool file declare its types once and still be stored in one list. */
export function defineTool<Input extends z.ZodObject, Output extends z.ZodType>(
  tool: ToolDefinition<Input, Output>,
): ToolDefinition<Input, Output> {
  return tool;
}
