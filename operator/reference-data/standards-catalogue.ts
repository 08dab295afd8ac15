// The standards catalogue: operator/data/standards.yaml (shipped as a ConfigMap) plus entries a user
// adds. Every threshold carries its source; user entries are marked 'user-defined' whatever they say.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

import type { Sourced, StandardDefinition } from '../domain/types.js';
import { DataFileError, parseDataFile } from './data-file-error.js';

export const SHIPPED_STANDARDS = 'operator/data/standards.yaml';

const text = z.string().trim().min(1);
const bilingual = z.object({ en: text, ko: text });
const sourcedNumber = (min: number, max: number) =>
  z.object({ value: z.number().min(min).max(max), source: z.string().trim().min(10) });

const standardSchema = z
  .object({
    code: z.string().regex(/^[A-Z][A-Z0-9_]{1,62}$/, 'code must be UPPER_SNAKE_CASE'),
    name: bilingual,
    legalStatus: z.enum(['law', 'policy-target', 'certification-criterion', 'user-defined']),
    legalReference: bilingual,
    carbonTarget_gCO2eq_kWh: sourcedNumber(0, 5000).optional(),
    carbonTrajectory: z
      .object({
        fromYear: z.number().int().min(1990).max(2100),
        from_gCO2eq_kWh: z.number().min(0).max(5000),
        toYear: z.number().int().min(1990).max(2100),
        to_gCO2eq_kWh: z.number().min(0).max(5000),
        source: z.string().trim().min(10),
      })
      .refine((t) => t.toYear > t.fromYear, { message: 'toYear must be after fromYear', path: ['toYear'] })
      .optional(),
    maxPue: sourcedNumber(1, 10).optional(),
    defaultPue: sourcedNumber(1, 10).optional(),
    pueScoreBands: z
      .array(z.object({ maxPue: z.number().min(1).max(10), points: z.number().min(0).max(100) }))
      .optional(),
    pueScoreBandsSource: z.string().trim().min(10).optional(),
    notes: bilingual.optional(),
  })
  .strict()
  .refine((s) => s.carbonTarget_gCO2eq_kWh || s.carbonTrajectory || s.maxPue, {
    message: 'a standard needs carbonTarget_gCO2eq_kWh, carbonTrajectory or maxPue',
    path: ['code'],
  })
  .refine((s) => !s.pueScoreBands || s.pueScoreBandsSource, {
    message: 'pueScoreBands need pueScoreBandsSource',
    path: ['pueScoreBandsSource'],
  });

const standardsFileSchema = z
  .object({
    apiVersion: z.literal('carbon-aware.dev/standards/v1'),
    kind: z.literal('StandardsCatalogue'),
    standards: z.array(standardSchema),
    defaultPue: sourcedNumber(1, 10).optional(),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.standards.forEach((s, i) => {
      if (seen.has(s.code))
        ctx.addIssue({ code: 'custom', path: ['standards', i, 'code'], message: `duplicate code ${s.code}` });
      seen.add(s.code);
    });
  });

export type CatalogueStandard = StandardDefinition & { pueScoreBandsSource?: string };

export interface StandardsCatalogue {
  standards: CatalogueStandard[];
  defaultPue?: Sourced<number>;
  get(code: string): CatalogueStandard | undefined;
  codes(): string[];
}

export class UnknownStandardError extends Error {
  constructor(
    readonly code: string,
    known: string[],
  ) {
    super(`unknown standard '${code}' (known: ${known.join(', ')})`);
    this.name = 'UnknownStandardError';
  }
}

function parseCatalogueText(file: string, yamlText: string): z.infer<typeof standardsFileSchema> {
  let doc: unknown;
  try {
    doc = parseYaml(yamlText);
  } catch (err) {
    throw new DataFileError(file, '', `not valid YAML: ${(err as Error).message}`);
  }
  return parseDataFile(file, standardsFileSchema, doc);
}

/**
 * The catalogue from its base file's text (named `baseName` in errors) and the user's additions in the
 * same format: their entries become 'user-defined' and replace same-code entries.
 */
export function parseStandardsCatalogue(
  baseName: string,
  baseText: string,
  extraYamlText?: string,
): StandardsCatalogue {
  const base = parseCatalogueText(baseName, baseText);
  const byCode = new Map<string, CatalogueStandard>();
  for (const s of base.standards) byCode.set(s.code, s);
  if (extraYamlText !== undefined) {
    const extra = parseCatalogueText('user standards', extraYamlText);
    for (const s of extra.standards) byCode.set(s.code, { ...s, legalStatus: 'user-defined' });
  }
  // The catalogue's assumed PUE stays at the catalogue level: the binder labels it 'assumed'.
  const defaultPue = base.defaultPue;
  const standards = [...byCode.values()];
  return {
    standards,
    ...(defaultPue ? { defaultPue } : {}),
    get: (code) => standards.find((s) => s.code === code),
    codes: () => standards.map((s) => s.code),
  };
}

export function requireStandard(catalogue: StandardsCatalogue, code: string): CatalogueStandard {
  const s = catalogue.get(code);
  if (!s) throw new UnknownStandardError(code, catalogue.codes());
  return s;
}
