// Generates operator/data/cloud-regions.json from operator/data/region-factors.csv (the research
// table, copied verbatim). Run: npx tsx hack/build-cloud-regions.ts
// Every value in the output keeps the CSV row's source; nothing is typed in by hand except the
// country of four location names the CSV spells without a country code (LOCATION_COUNTRY).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CSV = 'operator/data/region-factors.csv';
const OUT = 'operator/data/cloud-regions.json';
const PROVIDERS = ['aws', 'azure', 'gcp'] as const;
type Provider = (typeof PROVIDERS)[number];

// Geography, not data: the country a location name is in, where the CSV gives no code.
const LOCATION_COUNTRY: Record<string, string> = {
  Ireland: 'IE',
  Singapore: 'SG',
  Iowa: 'US',
  'Northern Virginia': 'US',
};

interface Row {
  provider: string;
  region: string;
  location: string;
  metric: string;
  year: string;
  value: number;
  unit: string;
  source: string;
  notes: string;
}

/** RFC 4180 fields: commas inside double quotes, "" for a quote. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  row.push(field);
  if (row.some((f) => f !== '')) rows.push(row);
  return rows;
}

function readRows(text: string): Row[] {
  const [header, ...body] = parseCsv(text);
  const expected = 'provider,region,location,metric,year,value,unit,source,notes';
  if (header?.join(',') !== expected) throw new Error(`${CSV}: header must be ${expected}`);
  return body.map((f, i) => {
    const value = Number(f[5]);
    if (!Number.isFinite(value)) throw new Error(`${CSV}: row ${i + 2}: value '${f[5]}' is not a number`);
    if (!f[7]) throw new Error(`${CSV}: row ${i + 2}: source is empty`);
    return {
      provider: f[0] ?? '',
      region: f[1] ?? '',
      location: f[2] ?? '',
      metric: f[3] ?? '',
      year: f[4] ?? '',
      value,
      unit: f[6] ?? '',
      source: f[7] ?? '',
      notes: f[8] ?? '',
    };
  });
}

/** "aws ap-northeast-2 / azure koreacentral,koreasouth / gcp asia-northeast3 (CCF mapping)" → keys. */
export function regionsInMapping(location: string): string[] {
  const keys: string[] = [];
  let provider: string | undefined;
  for (const word of location.replace(/\(CCF mapping\)/, '').split(/[\s/]+/)) {
    const w = word.replace(/,$/, '');
    if (!w) continue;
    if ((PROVIDERS as readonly string[]).includes(w)) provider = w;
    else if (provider) for (const r of w.split(',')) if (r) keys.push(`${provider}/${r}`);
  }
  return keys;
}

function countryOf(location: string): string | undefined {
  const code = /\b([A-Z]{2})$/.exec(location.trim())?.[1];
  return code ?? LOCATION_COUNTRY[location.trim()];
}

interface SourcedValue {
  value: number;
  source: string;
}

export function buildCloudRegions(text: string): unknown {
  const rows = readRows(text);
  const emZone = new Map<string, { zone: string; source: string }>();
  for (const r of rows.filter((r) => r.provider === 'electricitymaps')) {
    for (const key of regionsInMapping(r.location)) {
      emZone.set(key, { zone: r.region, source: `Electricity Maps zone per CCF mapping: ${r.source}` });
    }
  }
  const fleetPue = new Map<string, SourcedValue & { notes: string }>();
  for (const r of rows.filter((r) => r.metric === 'pue_ccf')) {
    fleetPue.set(r.provider, { value: r.value, source: r.source, notes: r.notes });
  }
  const regions: Record<string, unknown> = {};
  const regionRows = rows.filter(
    (r) => (PROVIDERS as readonly string[]).includes(r.provider) && !r.region.startsWith('('),
  );
  const keys = [...new Set(regionRows.map((r) => `${r.provider}/${r.region}`))].sort();
  for (const key of keys) {
    const [provider, region] = key.split('/') as [Provider, string];
    const own = regionRows.filter((r) => r.provider === provider && r.region === region);
    const location = own.map((r) => r.location).sort((a, b) => b.length - a.length)[0] ?? '';
    const country = own.map((r) => countryOf(r.location)).find(Boolean);
    const mapped = emZone.get(key);
    const zone = mapped?.zone ?? country;
    if (!zone) throw new Error(`${CSV}: cannot tell the zone of ${key} (location '${location}')`);
    const zoneSource = mapped?.source ?? `country of the region's location '${location}' (${CSV})`;

    const factors = own
      .filter((r) => r.metric.startsWith('grid_'))
      .map((r) => ({
        metric: r.metric,
        year: r.year,
        value_gCO2eq_kWh: r.value,
        source: `${r.source}${r.notes ? ` (${r.notes})` : ''}`,
      }));
    // Google publishes per-region figures; AWS and Azure do not, so CCF's proxies stand in for them.
    const googleLatest = factors
      .filter((f) => f.metric.startsWith('grid_ci_google_published'))
      .sort((a, b) => Number(b.year) - Number(a.year))[0];
    const ccfDefault = factors.find((f) => f.metric === 'grid_ef_ccf_default');
    const chosen = googleLatest ?? ccfDefault;
    const gridFactor = chosen
      ? {
          value: chosen.value_gCO2eq_kWh,
          source: `dataset: ${chosen.metric} ${chosen.year} — ${chosen.source}`,
        }
      : undefined;

    const fleet = fleetPue.get(provider);
    let pue: SourcedValue | undefined;
    if (fleet) {
      const ttm = new RegExp(`\\b${region} (\\d\\.\\d+)`).exec(fleet.notes)?.[1];
      pue = ttm
        ? {
            value: Number(ttm),
            source: `dataset: ${provider} published trailing-12-month PUE for ${region}, as CCF records it — ${fleet.source}`,
          }
        : {
            value: fleet.value,
            source: `dataset: ${provider} fleet PUE as CCF uses it (${fleet.notes}) — ${fleet.source}`,
          };
    }
    regions[key] = {
      provider,
      region,
      location,
      zone,
      zoneSource,
      ...(pue ? { pue } : {}),
      ...(gridFactor ? { gridFactor } : {}),
      factors,
    };
  }
  return {
    $comment: `Generated by hack/build-cloud-regions.ts from ${CSV}; do not edit by hand.`,
    regions,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = buildCloudRegions(readFileSync(CSV, 'utf8'));
  writeFileSync(OUT, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`wrote ${OUT}`);
}
