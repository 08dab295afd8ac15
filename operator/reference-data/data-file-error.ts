// A data file under operator/data that does not have the shape its loader expects. The message
// names the file and the field path, so a bad edit to a catalogue is found without reading code.
import type { z } from 'zod';

export class DataFileError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    message: string,
  ) {
    super(`${file}: ${field ? `${field}: ` : ''}${message}`);
    this.name = 'DataFileError';
  }

  static fromZod(file: string, error: z.ZodError): DataFileError {
    const issue = error.issues[0];
    const field = issue ? issue.path.map(String).join('.') : '';
    const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more issues)` : '';
    return new DataFileError(file, field, `${issue?.message ?? 'invalid'}${more}`);
  }
}

/** Parse with a zod schema, turning failures into a DataFileError naming the file and field. */
export function parseDataFile<T>(file: string, schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw DataFileError.fromZod(file, result.error);
  return result.data;
}

/** JSON.parse with the file named in the error. */
export function parseJsonText(file: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new DataFileError(file, '', `not valid JSON: ${(err as Error).message}`);
  }
}
