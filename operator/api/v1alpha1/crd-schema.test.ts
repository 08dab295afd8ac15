// The CRD YAML and the zod schema are two spellings of one contract: this test walks both and
// fails on any difference in types, defaults, enums, bounds, patterns or required fields, and
// checks that the CEL rules in the CRD have a zod counterpart that rejects the same objects.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { renamedFields } from './field-names.js';
import { GROUP, KIND, PLURAL, VERSION, policySpecSchema } from './types.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
type Schema = Record<string, unknown>;

const crd = parse(
  readFileSync(join(root, 'crds/carbon-aware.dev_carboncompliancepolicies.yaml'), 'utf8'),
) as {
  spec: {
    group: string;
    scope: string;
    names: { kind: string; plural: string; shortNames: string[]; categories: string[] };
    versions: Array<{
      name: string;
      subresources: Schema;
      additionalPrinterColumns: Array<{ name: string; jsonPath: string; priority?: number }>;
      schema: { openAPIV3Schema: { properties: { spec: Schema; status: Schema } } };
    }>;
  };
};
const version = crd.spec.versions[0]!;
const crdSpec = version.schema.openAPIV3Schema.properties.spec;
const crdStatus = version.schema.openAPIV3Schema.properties.status;
const zodSpec = z.toJSONSchema(policySpecSchema, { io: 'input', unrepresentable: 'any' }) as Schema;

const compared = [
  'type',
  'enum',
  'default',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'pattern',
] as const;

/** Brings OpenAPI v3.0 (CRD) and JSON Schema 2020-12 (zod) spellings to one form. */
function normalize(schema: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of compared) if (schema[key] !== undefined) out[key] = schema[key];
  if (schema.exclusiveMinimum === true) {
    out.exclusiveMinimum = schema.minimum;
    delete out.minimum;
  }
  if (typeof out.pattern === 'string') out.pattern = out.pattern.replaceAll('\\/', '/');
  if (Array.isArray(schema.required)) out.required = [...(schema.required as string[])].sort();
  return out;
}

function differences(crdNode: Schema, zodNode: Schema, path: string): string[] {
  const diffs: string[] = [];
  const a = normalize(crdNode);
  const b = normalize(zodNode);
  for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) {
      diffs.push(`${path}.${key}: crd=${JSON.stringify(a[key])} zod=${JSON.stringify(b[key])}`);
    }
  }
  const crdProps = (crdNode.properties ?? {}) as Record<string, Schema>;
  const zodProps = (zodNode.properties ?? {}) as Record<string, Schema>;
  for (const name of new Set([...Object.keys(crdProps), ...Object.keys(zodProps)])) {
    if (!crdProps[name] || !zodProps[name]) {
      diffs.push(`${path}.${name}: only in ${crdProps[name] ? 'crd' : 'zod'}`);
      continue;
    }
    diffs.push(...differences(crdProps[name], zodProps[name], `${path}.${name}`));
  }
  if (crdNode.items || zodNode.items) {
    diffs.push(...differences((crdNode.items ?? {}) as Schema, (zodNode.items ?? {}) as Schema, `${path}[]`));
  }
  const crdMap = crdNode.additionalProperties;
  const zodMap = zodNode.additionalProperties;
  if (typeof crdMap === 'object' || typeof zodMap === 'object') {
    diffs.push(
      ...differences(
        (typeof crdMap === 'object' ? crdMap : {}) as Schema,
        (typeof zodMap === 'object' ? zodMap : {}) as Schema,
        `${path}{}`,
      ),
    );
  }
  return diffs;
}

describe('CarbonCompliancePolicy CRD', () => {
  it('has the names, scope, subresource and printer columns of the contract', () => {
    expect(crd.spec.group).toBe(GROUP);
    expect(crd.spec.scope).toBe('Namespaced');
    expect(crd.spec.names.kind).toBe(KIND);
    expect(crd.spec.names.plural).toBe(PLURAL);
    expect(crd.spec.names.shortNames).toEqual(['carboncompliance', 'ccp']);
    expect(crd.spec.names.categories.length).toBeGreaterThan(0);
    expect(version.name).toBe(VERSION);
    expect(version.subresources).toEqual({ status: {} });
    // kubectl upper-cases names: they are written upper-case here, units after a hyphen.
    const columns = version.additionalPrinterColumns.map((c) => `${c.name}${c.priority ? ' (wide)' : ''}`);
    expect(columns).toEqual([
      'READY',
      'STATUS',
      'WORKLOADS',
      'NON-COMPLIANT',
      'INTENSITY-G/KWH',
      'TARGET-G/KWH',
      'PUE (wide)',
      'KG-CO2E/30D (wide)',
      'STANDARD (wide)',
      'EVALUATED (wide)',
      'AGE',
    ]);
    for (const column of version.additionalPrinterColumns)
      expect(column.name).toBe(column.name.toUpperCase());
    expect(version.additionalPrinterColumns[0]!.jsonPath).toBe(
      '.status.conditions[?(@.type=="Ready")].status',
    );
  });

  it('every spec and status field has a description (kubectl explain)', () => {
    const missing: string[] = [];
    let fields = 0;
    const walk = (node: Schema, path: string): void => {
      const properties = (node.properties ?? {}) as Record<string, Schema>;
      for (const [name, child] of Object.entries(properties)) {
        fields += 1;
        const childPath = `${path}.${name}`;
        if (typeof child.description !== 'string' || child.description.trim().length < 10)
          missing.push(childPath);
        walk(child, childPath);
        if (child.items) walk(child.items as Schema, childPath);
      }
    };
    const root = version.schema.openAPIV3Schema as unknown as Schema;
    for (const top of ['spec', 'status'] as const) {
      const node = (root.properties as Record<string, Schema>)[top]!;
      if (typeof node.description !== 'string') missing.push(top);
      walk(node, top);
    }
    expect(missing).toEqual([]);
    expect(fields).toBeGreaterThanOrEqual(21 + 35);
  });

  it('names every field lowerCamelCase with its unit as a suffix (Kubernetes API conventions)', () => {
    const walk = (node: Schema, names: string[] = []): string[] => {
      for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, Schema>)) {
        names.push(name);
        walk(child, names);
        if (child.items) walk(child.items as Schema, names);
      }
      return names;
    };
    const names = walk(version.schema.openAPIV3Schema as unknown as Schema);
    expect(names.filter((name) => !/^[a-z][A-Za-z0-9]*$/.test(name))).toEqual([]);
    // The summary's figures are stored under the names field-names.ts gives them.
    const summary = walk((crdStatus.properties as Record<string, Schema>).summary!);
    for (const stored of renamedFields().summary.values()) expect(summary).toContain(stored);
    for (const column of version.additionalPrinterColumns) expect(column.jsonPath).not.toMatch(/_/);
  });

  it('spec schema agrees with policySpecSchema (types, defaults, enums, bounds, patterns)', () => {
    expect(differences(crdSpec, zodSpec, 'spec')).toEqual([]);
  });

  it('the comparison itself notices a difference', () => {
    const changed = structuredClone(crdSpec) as { properties: { maxWorkloadsInStatus: Schema } };
    changed.properties.maxWorkloadsInStatus.maximum = 501;
    expect(differences(changed as unknown as Schema, zodSpec, 'spec')).toEqual([
      'spec.maxWorkloadsInStatus.maximum: crd=501 zod=500',
    ]);
  });

  it('every CEL rule in the CRD has a zod counterpart that rejects the same object', () => {
    const rules: string[] = [];
    const collect = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      const validations = (node as Schema)['x-kubernetes-validations'] as Array<{ rule: string }> | undefined;
      for (const v of validations ?? []) rules.push(v.rule);
      for (const child of Object.values(node)) collect(child);
    };
    collect(crdSpec);
    expect(rules).toHaveLength(3);
    const both2 = policySpecSchema.safeParse({
      site: { renewableSupply: [{ instrument: 'recPurchase', share: 0.5, mWhPerYear: 10 }] },
    });
    expect(both2.error?.issues[0]?.path).toEqual(['site', 'renewableSupply', 0, 'share']);
    const neither = policySpecSchema.safeParse({ site: { renewableSupply: [{ instrument: 'directPpa' }] } });
    expect(neither.error?.issues[0]?.path).toEqual(['site', 'renewableSupply', 0, 'share']);
    const both = policySpecSchema.safeParse({ site: { zone: 'KR', cloudRegion: 'aws/ap-northeast-2' } });
    expect(both.success).toBe(false);
    expect(both.error?.issues[0]?.path).toEqual(['site']);
    const inWithoutValues = policySpecSchema.safeParse({
      selector: { matchExpressions: [{ key: 'app', operator: 'In' }] },
    });
    expect(inWithoutValues.error?.issues[0]?.path).toEqual(['selector', 'matchExpressions', 0, 'values']);
    const existsWithValues = policySpecSchema.safeParse({
      selector: { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['x'] }] },
    });
    expect(existsWithValues.success).toBe(false);
    // x-kubernetes-list-type: set on candidateRegions
    expect(
      policySpecSchema.safeParse({
        recommendations: { candidateRegions: ['aws/ap-northeast-2', 'aws/ap-northeast-2'] },
      }).success,
    ).toBe(false);
  });

  it('an empty spec gets the same defaults from zod as from the CRD', () => {
    const parsed = policySpecSchema.parse({});
    const props = crdSpec.properties as Record<string, Schema>;
    for (const [name, field] of Object.entries(props)) {
      if (field.default !== undefined)
        expect([name, parsed[name as keyof typeof parsed]]).toEqual([name, field.default]);
    }
    expect(parsed).toMatchObject({
      standard: 'KR_CARBON_2050',
      window: '24h',
      interval: '5m',
      language: 'ko',
    });
  });

  it('the example policies are valid specs', () => {
    for (const file of ['ai-team-ml-training.yaml', 'production-web-app.yaml', 'aws-seoul-region.yaml']) {
      const doc = parse(readFileSync(join(root, 'examples', file), 'utf8')) as {
        spec: unknown;
        kind: string;
      };
      expect(doc.kind).toBe(KIND);
      const result = policySpecSchema.safeParse(doc.spec);
      expect([file, result.success ? 'ok' : result.error.message]).toEqual([file, 'ok']);
    }
  });
});
