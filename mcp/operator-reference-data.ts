// Reference data from the operator's data layer (operator/grid): the standards catalogue (or the
// file named by --standards-file / STANDARDS_FILE, the chart's ConfigMap) and grid profiles.
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { HourlyIntensityProfile, StandardDefinition } from '../operator/engine/types.js';
import type { ReferenceData } from './reference-data.js';

const sourced = z.object({ value: z.number(), source: z.string().min(1) });
const bilingual = z.object({ en: z.string(), ko: z.string() });
const standardSchema = z.looseObject({
  code: z.string().regex(/^[A-Z0-9_]+$/),
  name: bilingual,
  legalStatus: z.enum(['law', 'policy-target', 'certification-criterion', 'user-defined']),
  legalReference: bilingual,
  carbonTarget_gCO2eq_kWh: sourced.optional(),
  maxPue: sourced.optional(),
  defaultPue: sourced.optional(),
});
const catalogueSchema = z.union([
  z.array(standardSchema),
  z.looseObject({ standards: z.array(standardSchema) }).transform((c) => c.standards),
]);

export function standardsFromFile(path: string): StandardDefinition[] {
  const parsed = catalogueSchema.safeParse(parseYaml(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`standards file ${path}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data as unknown as StandardDefinition[];
}

interface GridModule {
  loadStandardsCatalogue?: () => StandardDefinition[] | { standards: StandardDefinition[] };
  gridProfileFor?: (zone: string) => HourlyIntensityProfile | undefined;
  gridZones?: () => string[];
}

export function referenceDataFrom(
  standards: readonly StandardDefinition[],
  gridProfileFor: (zone: string) => HourlyIntensityProfile | undefined,
  zones: readonly string[],
): ReferenceData {
  const byCode = new Map(standards.map((s) => [s.code, s]));
  return {
    standards: () => standards,
    standard: (code) => byCode.get(code),
    zones: () => zones.filter((z) => gridProfileFor(z) !== undefined),
    gridProfile: (zone) => {
      try {
        return gridProfileFor(zone.toUpperCase());
      } catch {
        return undefined;
      }
    },
  };
}

export async function loadReferenceData(
  standardsFile: string | undefined,
  logger: Logger,
): Promise<ReferenceData> {
  let grid: GridModule = {};
  try {
    // The operator's data layer; imported lazily so the front end still starts where it is absent.
    const specifier = '../operator/grid/index.js';
    grid = (await import(specifier)) as GridModule;
  } catch (error) {
    logger.warn(
      { err: (error as Error).message },
      'operator grid data not available: standards and grid resources are empty',
    );
  }
  let standards: StandardDefinition[] = [];
  if (standardsFile) standards = standardsFromFile(standardsFile);
  else if (grid.loadStandardsCatalogue) {
    const catalogue = grid.loadStandardsCatalogue();
    standards = Array.isArray(catalogue) ? catalogue : catalogue.standards;
  }
  const zones = grid.gridZones?.() ?? ['KR'];
  return referenceDataFrom(standards, grid.gridProfileFor ?? (() => undefined), zones);
}
