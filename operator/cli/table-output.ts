// The CLI's human-readable output: one row per workload, then each workload's sentence and measures.
import type { ComplianceStatus, Language, WorkloadAssessment } from '../domain/types.js';

const STATUS: Record<ComplianceStatus, Record<Language, string>> = {
  COMPLIANT: { en: 'COMPLIANT', ko: '준수' },
  NON_COMPLIANT: { en: 'NON_COMPLIANT', ko: '미준수' },
  INSUFFICIENT_DATA: { en: 'INSUFFICIENT_DATA', ko: '데이터 부족' },
};
const statusWord = (language: Language, status: ComplianceStatus) => STATUS[status][language];

const HEADERS: Record<Language, string[]> = {
  en: [
    'WORKLOAD',
    'KIND',
    'PODS',
    'STATUS',
    'gCO2eq/kWh',
    'TARGET',
    'GAP %',
    'PUE',
    'kWh',
    'IDLE kWh',
    'gCO2eq',
    'kgCO2eq/30d',
  ],
  ko: [
    '워크로드',
    '종류',
    '파드',
    '상태',
    'gCO2eq/kWh',
    '목표',
    '차이 %',
    'PUE',
    'kWh',
    '유휴 kWh',
    'gCO2eq',
    'kgCO2eq/30일',
  ],
};

const show = (v: number | null) => (v === null ? '-' : String(v));

/** Terminal columns a string takes: Hangul and CJK characters are two wide. */
function columns(text: string): number {
  let width = 0;
  for (const ch of text)
    width += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60]/u.test(ch) ? 2 : 1;
  return width;
}
const pad = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - columns(text)));

export function renderTable(assessments: WorkloadAssessment[], language: Language): string {
  const rows = assessments.map((a) => [
    `${a.namespace}/${a.workload}`,
    a.kind_ambiguous ? `${a.kind_ambiguous.join('|')}?` : a.kind,
    String(a.pods),
    statusWord(language, a.status),
    show(a.current_carbon_intensity_gCO2eq_kWh),
    show(a.target_carbon_intensity_gCO2eq_kWh),
    a.gap_percent === null ? '-' : `${a.gap_percent > 0 ? '+' : ''}${a.gap_percent}`,
    String(a.pue),
    show(a.energy_kWh),
    show(a.idle_share_kWh ?? null),
    show(a.emissions_gCO2eq),
    show(a.monthly_projection.emissions_kgCO2eq),
  ]);
  const table = [HEADERS[language], ...rows];
  const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => columns(r[c]!))));
  const lines = table.map((r) =>
    r
      .map((cell, c) => pad(cell, widths[c]!))
      .join('  ')
      .trimEnd(),
  );
  const details = assessments.flatMap((a) => [
    '',
    `${a.namespace}/${a.workload}: ${a.recommendation}`,
    ...a.optimizations.flatMap((o) => [
      `  - ${o.type}: −${o.estimated_reduction_percent}% — ${o.description} ` +
        `(${o.savings_per_month.kgCO2eq} kgCO2eq, ${o.savings_per_month.kWh} kWh, ${o.savings_per_month.KRW} KRW, ${o.savings_per_month.USD} USD / 30d)`,
      // The ready-to-commit strategic-merge patch, indented under its measure.
      ...(o.patch
        ? o.patch
            .trimEnd()
            .split('\n')
            .map((line) => `      ${line}`)
        : []),
    ]),
    ...footprintLines(a, language),
  ]);
  return `${[...lines, ...details, '', ...sourcesBlock(assessments, language)].join('\n')}\n`;
}

/** Both bases, named: active (the columns above) and active + idle share. */
function footprintLines(a: WorkloadAssessment, language: Language): string[] {
  const full = a.footprint?.active_plus_idle_share;
  const idle =
    full && a.idle_share_kWh !== null && a.idle_share_kWh !== undefined
      ? language === 'ko'
        ? `  전체(활성 + 유휴 몫): ${full.energy_kWh} kWh, ${full.emissions_gCO2eq} gCO2eq, ${full.emissions_kgCO2eq_per_30d} kgCO2eq/30일`
        : `  full footprint (active + idle share): ${full.energy_kWh} kWh, ${full.emissions_gCO2eq} gCO2eq, ${full.emissions_kgCO2eq_per_30d} kgCO2eq/30d`
      : language === 'ko'
        ? `  유휴 몫: ${a.idle_share_source ?? 'unavailable'}`
        : `  idle share: ${a.idle_share_source ?? 'unavailable'}`;
  return [idle];
}

/** The sources, once for the whole run: every workload of one run shares them; a line that
 * differs between workloads is shown per workload. */
function sourcesBlock(assessments: WorkloadAssessment[], language: Language): string[] {
  if (assessments.length === 0) return [];
  const label = language === 'ko' ? '출처' : 'sources';
  const entries: Array<[string, (a: WorkloadAssessment) => string | undefined]> = [
    ['energy', (a) => a.sources.energy],
    [
      'energy basis',
      () =>
        'kWh, gCO2eq, gCO2eq/kWh and kgCO2eq/30d are active (dynamic) energy; the idle share is beside them',
    ],
    ['idle share', (a) => a.idle_share_source],
    ['zones', (a) => a.sources.zones_counted.join('+')],
    ['grid', (a) => a.sources.grid_intensity],
    ['PUE', (a) => a.sources.pue],
    ['target', (a) => a.sources.target],
    ['30-day projection', (a) => a.monthly_projection.basis],
    ['cost', (a) => a.sources.cost],
    ['SCI', (a) => a.sources.sci],
  ];
  const out = [`${label}:`];
  for (const [name, get] of entries) {
    const values = [...new Set(assessments.map(get).filter((v): v is string => v !== undefined))];
    if (values.length === 1) out.push(`  ${name}: ${values[0]}`);
    else
      for (const a of assessments) {
        const v = get(a);
        if (v !== undefined) out.push(`  ${name} (${a.namespace}/${a.workload}): ${v}`);
      }
  }
  return out;
}
