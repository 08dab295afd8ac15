// What an MCP client sees when it lists resources and fills in arguments, with the operator's real
// grid data: the standards, the zones the policies use and the policies, not every grid zone; one
// zone code form (alpha-2 with sub-zones) in the listing, the completion and the tools; and a
// description on every tool input field and prompt argument.
import pino from 'pino';
import { z } from 'zod';
import { samplePolicies } from '../hack/testenv/sample-policies.js';
import { loadReferenceData } from './operator-reference-data.js';
import type { ReferenceData } from './reference-data.js';
import { toolCatalogue } from './tools/catalogue.js';
import { ZONE_CODE_PATTERN } from './tools/input-fields.js';
import { connectInMemory } from '../hack/testenv/in-memory-mcp.js';

let reference: ReferenceData;
beforeAll(async () => {
  reference = await loadReferenceData(undefined, pino({ level: 'silent' }));
});

async function connected() {
  const policies = samplePolicies();
  const sweden = structuredClone(policies[0]!);
  sweden.metadata = { ...sweden.metadata, namespace: 'nordic', name: 'carbon-se' };
  sweden.spec = { ...sweden.spec, site: { zone: 'SE' } };
  const { client } = await connectInMemory([...policies, sweden], { reference });
  return { client, policies: [...policies, sweden] };
}

describe('resources, completion and input descriptions', () => {
  test('resources/list holds the standards, the zones in use and the policies, not every grid zone', async () => {
    const { client, policies } = await connected();
    const { resources } = await client.listResources();
    const uris = resources.map((r) => r.uri);
    const grid = uris.filter((u) => u.startsWith('carbon://grid/'));
    expect(grid).toEqual(['carbon://grid/KR', 'carbon://grid/SE']);
    expect(uris).toContain('carbon://standards');
    for (const s of reference.standards()) expect(uris).toContain(`carbon://standards/${s.code}`);
    for (const p of policies)
      expect(uris).toContain(`carbon://policies/${p.metadata.namespace}/${p.metadata.name}`);
    expect(resources.length).toBe(1 + reference.standards().length + grid.length + policies.length);
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toContain('carbon://grid/{zone}');
  });

  test('every zone is in one code form that the tools accept; alpha-3 duplicates are gone', async () => {
    const zones = reference.zones();
    expect(zones.length).toBeGreaterThan(100);
    expect(zones.filter((zone) => !ZONE_CODE_PATTERN.test(zone))).toEqual([]);
    expect(zones).toContain('AU');
    expect(zones).not.toContain('AUS');
    const schedule = toolCatalogue.find((t) => t.name === 'calculate_optimal_schedule')!;
    const rejected = zones.filter(
      (zone) => !schedule.inputSchema.safeParse({ duration_hours: 1, zone }).success,
    );
    expect(rejected).toEqual([]);
    const { client } = await connected();
    const completion = await client.complete({
      ref: { type: 'ref/resource', uri: 'carbon://grid/{zone}' },
      argument: { name: 'zone', value: 'AU' },
    });
    expect(completion.completion.values).toContain('AU');
    expect(completion.completion.values).toContain('AU-NSW');
    expect(completion.completion.values).not.toContain('AUS');
    const sample = await client.callTool({
      name: 'calculate_optimal_schedule',
      arguments: { duration_hours: 2, zone: 'AU-NSW' },
    });
    expect(sample.isError).toBeFalsy();
  });

  test('reading an alpha-3 zone explains the code form and suggests the alpha-2 zones', async () => {
    const { client } = await connected();
    await expect(client.readResource({ uri: 'carbon://grid/AUS' })).rejects.toMatchObject({
      message: expect.stringMatching(/ISO 3166-1 alpha-2.*zones starting with AU: AU, AU-NSW/),
    });
    const kr = await client.readResource({ uri: 'carbon://grid/KR' });
    expect(JSON.parse((kr.contents[0] as { text: string }).text)).toMatchObject({
      zone: 'KR',
      timeZone: 'Asia/Seoul',
    });
  });

  test('every tool input field and every prompt argument has a description', async () => {
    const missing: string[] = [];
    for (const tool of toolCatalogue) {
      const schema = z.toJSONSchema(tool.inputSchema, { target: 'draft-7', io: 'input' }) as {
        properties?: Record<string, { description?: string }>;
      };
      for (const [name, field] of Object.entries(schema.properties ?? {}))
        if (!field.description) missing.push(`${tool.name}.${name}`);
    }
    const { client } = await connected();
    const { prompts } = await client.listPrompts();
    expect(prompts.length).toBeGreaterThan(0);
    for (const prompt of prompts)
      for (const argument of prompt.arguments ?? [])
        if (!argument.description) missing.push(`prompt ${prompt.name}.${argument.name}`);
    expect(missing).toEqual([]);
  });
});
