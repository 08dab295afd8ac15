// Resources: the standards catalogue, grid profiles and per-policy status.
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { CarbonCompliancePolicy } from '../../operator/public-api.js';
import { clusterAvailable } from '../tool-runner.js';
import type { FrontEndDeps, ServerContext } from './server-context.js';

/** Grid zones the policies assess against (site.zone, or a cloud region's zone), plus KR (the default site). */
function zonesInUse(
  policies: readonly CarbonCompliancePolicy[],
  reference: FrontEndDeps['reference'],
): string[] {
  const zones = new Set<string>(['KR']);
  for (const p of policies) {
    const site = p.spec?.site;
    const zone = site?.cloudRegion ? reference.regionZone(site.cloudRegion) : site?.zone;
    if (zone && reference.gridProfile(zone)) zones.add(zone.toUpperCase());
  }
  return [...zones].sort();
}

function policyUri(policy: CarbonCompliancePolicy): string {
  return `carbon://policies/${policy.metadata.namespace}/${policy.metadata.name}`;
}

const json = (uri: string, value: unknown) => ({
  contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }],
});

export function registerResources(mcp: McpServer, { deps, visible }: ServerContext): void {
  mcp.registerResource(
    'standards',
    'carbon://standards',
    {
      title: 'Standards catalogue',
      description: 'Carbon and PUE standards with legal references and sources',
      mimeType: 'application/json',
    },
    async (uri) => json(uri.href, deps.reference.standards()),
  );
  mcp.registerResource(
    'standard',
    new ResourceTemplate('carbon://standards/{code}', {
      list: async () => ({
        resources: deps.reference.standards().map((s) => ({
          uri: `carbon://standards/${s.code}`,
          name: s.code,
          title: s.name.en,
          description: s.name.ko,
          mimeType: 'application/json',
        })),
      }),
    }),
    {
      title: 'Standard',
      description: 'One standard: thresholds, legal reference, source of every number',
      mimeType: 'application/json',
    },
    async (uri, variables) => {
      const code = String(variables.code);
      const standard = deps.reference.standard(code);
      if (!standard) throw new McpError(ErrorCode.InvalidParams, `Unknown standard "${code}"`);
      return json(uri.href, standard);
    },
  );
  mcp.registerResource(
    'grid-profile',
    // Listed: the zones the visible policies use (and KR, the default site); every other zone is
    // reachable through the template and completion/complete, not a 500-entry list.
    new ResourceTemplate('carbon://grid/{zone}', {
      list: async (extra) => ({
        resources: zonesInUse(await visible(extra), deps.reference).map((zone) => ({
          uri: `carbon://grid/${zone}`,
          name: `grid-${zone}`,
          title: `Grid carbon intensity profile, ${zone}`,
          description: 'A zone used by a policy you can see',
          mimeType: 'application/json',
        })),
      }),
    }),
    {
      title: 'Grid intensity profile',
      description:
        'Hourly grid carbon intensity (gCO2eq/kWh) by local hour, with source. Zone codes: ISO 3166-1 alpha-2 with ' +
        'optional sub-zone (KR, JP, AU-NSW); use completion for the others.',
      mimeType: 'application/json',
    },
    async (uri, variables) => {
      const zone = String(variables.zone);
      const profile = deps.reference.gridProfile(zone);
      if (!profile) {
        const prefix = zone.slice(0, 2).toUpperCase();
        const near = deps.reference
          .zones()
          .filter((z) => z.startsWith(prefix))
          .slice(0, 10);
        throw new McpError(
          ErrorCode.InvalidParams,
          `No grid profile for zone "${zone}": zone codes are ISO 3166-1 alpha-2 with an optional sub-zone ` +
            `(KR, JP, AU-NSW)${near.length > 0 ? `; zones starting with ${prefix}: ${near.join(', ')}` : ''}`,
        );
      }
      return json(uri.href, profile);
    },
  );
  mcp.registerResource(
    'policy-status',
    new ResourceTemplate('carbon://policies/{namespace}/{name}', {
      list: async (extra) => ({
        resources: (await visible(extra)).map((p) => ({
          uri: policyUri(p),
          name: `${p.metadata.namespace}/${p.metadata.name}`,
          description: `${p.spec?.standard ?? ''} ${p.status?.summary?.status ?? 'not evaluated yet'}`.trim(),
          mimeType: 'application/json',
        })),
      }),
    }),
    {
      title: 'Policy status',
      description: 'A CarbonCompliancePolicy: spec, summary and per-workload assessments',
      mimeType: 'application/json',
    },
    async (uri, variables, extra) => {
      await clusterAvailableOrMcpError();
      const policy = (await visible(extra)).find(
        (p) =>
          p.metadata.namespace === String(variables.namespace) && p.metadata.name === String(variables.name),
      );
      if (!policy)
        throw new McpError(
          ErrorCode.InvalidParams,
          `No policy ${String(variables.namespace)}/${String(variables.name)} (or not visible to you)`,
        );
      const { energyHistory: _history, ...status } = policy.status ?? {};
      return json(uri.href, { metadata: policy.metadata, spec: policy.spec, status });
    },
  );

  async function clusterAvailableOrMcpError(): Promise<void> {
    try {
      await clusterAvailable(deps.policyStatus);
    } catch (error) {
      throw new McpError(ErrorCode.InternalError, (error as Error).message);
    }
  }
}
