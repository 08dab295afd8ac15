// The CLI's human-readable output: one row per workload, then each workload's sentence and measures.
import type { ComplianceStatus, Language, WorkloadAssessment } from '../engine/types.js';

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
    a.kind,
    String(a.pods),
    statusWord(language, a.status),
    show(a.current_carbon_intensity_gCO2eq_kWh),
    show(a.target_carbon_intensity_gCO2eq_kWh),
    a.gap_percent === null ? '-' : `${a.gap_percent > 0 ? '+' : ''}${a.gap_percent}`,
    String(a.pue),
    show(a.energy_kWh),
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
    ...a.optimizations.map(
      (o) =>
        `  - ${o.type}: −${o.estimated_reduction_percent}% — ${o.description} ` +
        `(${o.savings_per_month.kgCO2eq} kgCO2eq, ${o.savings_per_month.kWh} kWh, ${o.savings_per_month.KRW} KRW, ${o.savings_per_month.USD} USD / 30d)`,
    ),
    `  sources: energy ${a.sources.energy}; grid ${a.sources.grid_intensity}; PUE ${a.sources.pue}; target ${a.sources.target}`,
  ]);
  return `${[...lines, ...details].join('\n')}\n`;
}
