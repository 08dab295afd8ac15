// The dashboard at `/`: policies and workloads with their verdicts, intensity against target, the
// hourly grid profile of each zone in use with the recommended window marked, and the savings of
// the best measure — server-rendered HTML with inline SVG charts, no script, no CDN, in Korean or
// English. Every chart has a text alternative (title, description and a table of its numbers).
//
// Auth is the API's: the same authenticator checks the same token. Browsers cannot attach a bearer
// header to a page load, so besides `Authorization: Bearer` the page takes the token as the password
// of HTTP Basic auth (any user name): the browser's own sign-in prompt, no cookie, no script.
import express, { type RequestHandler, type Router } from 'express';
import {
  briefSource,
  dailyShape,
  formatNumber,
  localMonthAndHour,
  seasonOfMonth,
  type CarbonBudgetStatus,
  type CarbonCompliancePolicy,
  type ComplianceStatus,
  type EmissionsChange,
  type HourlyIntensityProfile,
  type Language,
  type Optimization,
  type WorkloadAssessment,
} from '../../operator/public-api.js';
import type { CallerAuthenticator } from '../auth/caller-authenticator.js';
import type { NamespaceAuthoriser } from '../auth/namespace-authoriser.js';
import type { ReferenceData } from '../reference-data.js';
import type { PolicyStatusReader } from '../status/policy-status-reader.js';

const MAX_POLICIES = 50;
const MAX_WORKLOADS_PER_POLICY = 20;

export interface DashboardDeps {
  policyStatus: PolicyStatusReader;
  authoriser: NamespaceAuthoriser;
  reference: ReferenceData;
  now?: () => Date;
}

const text = {
  title: { ko: '탄소 인식 Kepler 대시보드', en: 'Carbon-Aware Kepler dashboard' },
  skip: { ko: '본문으로 건너뛰기', en: 'Skip to content' },
  other: { ko: 'English', en: '한국어' },
  overview: { ko: '개요', en: 'Overview' },
  policies: { ko: '정책', en: 'Policies' },
  policy: { ko: '정책', en: 'Policy' },
  workloads: { ko: '워크로드', en: 'Workloads' },
  nonCompliant: { ko: '미준수', en: 'Non-compliant' },
  noPolicies: {
    ko: '볼 수 있는 CarbonCompliancePolicy가 없습니다. examples/ 의 정책을 적용하세요.',
    en: 'No CarbonCompliancePolicy you may read. Apply one from examples/.',
  },
  notEvaluated: { ko: '아직 평가되지 않음', en: 'not evaluated yet' },
  standard: { ko: '기준', en: 'Standard' },
  intensity: { ko: '유효 탄소 집약도 (gCO2e/kWh)', en: 'Effective intensity (gCO2e/kWh)' },
  target: { ko: '목표 (gCO2e/kWh)', en: 'Target (gCO2e/kWh)' },
  gap: { ko: '목표 대비 (%)', en: 'Gap to target (%)' },
  pue: { ko: 'PUE', en: 'PUE' },
  power: { ko: 'IT 전력 (W)', en: 'IT power (W)' },
  emissions30d: { ko: '배출량, 30일 환산 (kgCO2e)', en: 'Emissions, 30 days (kgCO2e)' },
  energy: { ko: 'IT 에너지, 평가 구간 (kWh)', en: 'IT energy, window (kWh)' },
  evaluated: { ko: '평가 시각', en: 'Evaluated at' },
  budget: { ko: '탄소 예산, 이번 달 (kgCO2e, KST)', en: 'Carbon budget, this month (kgCO2e, KST)' },
  budgetProjection: { ko: '월말 예상 (kgCO2e)', en: 'Projected month-end (kgCO2e)' },
  burnRate: { ko: '일일 배출 (kgCO2e/일)', en: 'Burn rate (kgCO2e/day)' },
  exhaustion: { ko: '예산 소진일', en: 'Budget runs out' },
  exhausted: { ko: '소진됨', en: 'used up' },
  lastsTheMonth: { ko: '이번 달은 충분', en: 'lasts the month' },
  change: { ko: '배출량 변화 (kgCO2e)', en: 'Emissions change (kgCO2e)' },
  verdict: { ko: '판정', en: 'Verdict' },
  kind: { ko: '종류', en: 'Kind' },
  bestMeasure: { ko: '가장 큰 절감 조치', en: 'Largest saving' },
  savings: { ko: '절감/월', en: 'Savings/month' },
  none: { ko: '없음', en: 'none' },
  more: { ko: '개 워크로드가 더 있습니다 (MCP 또는 REST로 조회)', en: 'more workloads (ask MCP or REST)' },
  chartWorkloads: {
    ko: '워크로드별 유효 탄소 집약도와 목표',
    en: 'Effective carbon intensity of each workload against the target',
  },
  grid: { ko: '시간대별 전력망 탄소 집약도', en: 'Hourly grid carbon intensity' },
  window: { ko: '권장 실행 구간', en: 'Recommended window' },
  hour: { ko: '현지 시각', en: 'Local hour' },
  gridValue: { ko: '전력망 집약도 (gCO2e/kWh)', en: 'Grid intensity (gCO2e/kWh)' },
  dataTable: { ko: '표로 보기', en: 'Show as a table' },
  source: { ko: '출처', en: 'Source' },
  unavailable: { ko: '클러스터를 읽을 수 없습니다', en: 'The cluster cannot be read' },
  verifiedSavings: { ko: '검증된 절감', en: 'Verified savings' },
  adoptedChange: { ko: '변경', en: 'Change' },
  since: { ko: '적용 시각 (UTC)', en: 'Since (UTC)' },
  savedKg: { ko: '절감 (kgCO2e)', en: 'Saved (kgCO2e)' },
  savedPercent: { ko: '절감 (%)', en: 'Saved (%)' },
  stale: { ko: '마지막 평가가 실패했습니다', en: 'The last evaluation failed' },
  unauthorized: {
    ko: '이 대시보드는 API와 같은 토큰이 필요합니다. 사용자 이름은 아무 값이나, 비밀번호에 토큰을 입력하세요.',
    en: 'This dashboard needs the same token as the API. Enter any user name and the token as the password.',
  },
} satisfies Record<string, Record<Language, string>>;

const verdictText: Record<ComplianceStatus, Record<Language, string>> = {
  COMPLIANT: { ko: '준수', en: 'Compliant' },
  NON_COMPLIANT: { ko: '미준수', en: 'Non-compliant' },
  INSUFFICIENT_DATA: { ko: '데이터 부족', en: 'Insufficient data' },
};

const measureText: Record<Optimization['type'], Record<Language, string>> = {
  temporal_shift: { ko: '실행 시간 이동', en: 'Time shift' },
  right_sizing: { ko: '리소스 적정화', en: 'Right-sizing' },
  regional_migration: { ko: '리전 이전', en: 'Region move' },
  pue_improvement: { ko: 'PUE 개선', en: 'PUE improvement' },
};

function escapeHtml(value: unknown): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const num = (value: number | null | undefined, digits = 1) =>
  value === null || value === undefined || !Number.isFinite(value) ? '—' : formatNumber(value, digits);
const hh = (hour: number) => `${String(hour % 24).padStart(2, '0')}:00`;

function verdictBadge(status: ComplianceStatus | undefined, language: Language): string {
  if (!status) return `<span class="badge unknown">${text.notEvaluated[language]}</span>`;
  const symbol = status === 'COMPLIANT' ? '✓' : status === 'NON_COMPLIANT' ? '✗' : '?';
  return `<span class="badge ${status.toLowerCase()}"><span aria-hidden="true">${symbol}</span> ${verdictText[status][language]}</span>`;
}

/** Horizontal bars of each workload's effective intensity with the target as a line. */
function intensityChart(
  workloads: WorkloadAssessment[],
  /** Null for a PUE-only standard: no target line, intensities shown for reference. */
  target: number | null,
  language: Language,
  id: string,
): string {
  const rows = workloads.filter((w) => w.current_carbon_intensity_gCO2eq_kWh !== null);
  if (rows.length === 0) return '';
  const max = Math.max(target ?? 0, ...rows.map((w) => w.current_carbon_intensity_gCO2eq_kWh!)) * 1.1;
  const labelWidth = 180;
  const width = 640;
  const barArea = width - labelWidth - 70;
  const rowHeight = 26;
  const height = rows.length * rowHeight + 30;
  const x = (v: number) => labelWidth + (v / max) * barArea;
  const desc = rows
    .map((w) => `${w.workload}: ${num(w.current_carbon_intensity_gCO2eq_kWh)} gCO2e/kWh`)
    .join('; ');
  const bars = rows
    .map((w, i) => {
      const value = w.current_carbon_intensity_gCO2eq_kWh!;
      const y = 10 + i * rowHeight;
      const over = target !== null && value > target;
      return (
        `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end" class="label">${escapeHtml(w.workload)}</text>` +
        `<rect x="${labelWidth}" y="${y + 3}" width="${Math.max(1, x(value) - labelWidth).toFixed(1)}" height="16" class="${over ? 'bar-over' : 'bar-ok'}"/>` +
        `<text x="${(x(value) + 6).toFixed(1)}" y="${y + 15}" class="value">${num(value)}</text>`
      );
    })
    .join('');
  const tx = target === null ? '' : x(target).toFixed(1);
  return (
    `<svg class="chart" role="img" aria-labelledby="${id}-t ${id}-d" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMinYMin meet">` +
    `<title id="${id}-t">${text.chartWorkloads[language]}${target === null ? '' : ` (${num(target)} gCO2e/kWh)`}</title>` +
    `<desc id="${id}-d">${escapeHtml(desc)}</desc>` +
    bars +
    (target === null
      ? ''
      : `<line x1="${tx}" x2="${tx}" y1="4" y2="${height - 18}" class="target"/>` +
        `<text x="${tx}" y="${height - 4}" text-anchor="middle" class="label">${text.target[language]}: ${num(target)}</text>`) +
    `</svg>`
  );
}

interface RecommendedWindow {
  startLocalHour: number;
  durationHours: number;
  windowIntensity_gCO2eq_kWh: number;
  workload: string;
}

/** 24 bars of the zone's hourly grid intensity for the current season, the recommended window shaded. */
function gridChart(
  profile: HourlyIntensityProfile,
  now: Date,
  window: RecommendedWindow | undefined,
  language: Language,
  id: string,
): string {
  const season = seasonOfMonth(localMonthAndHour(now, profile.timeZone).month);
  const values = dailyShape(profile, season);
  const width = 640;
  const height = 220;
  const left = 44;
  const bottom = 28;
  const max = Math.max(...values) * 1.1;
  const barWidth = (width - left - 10) / 24;
  const y = (v: number) => height - bottom - (v / max) * (height - bottom - 10);
  const inWindow = (h: number) =>
    window !== undefined && (h - window.startLocalHour + 24) % 24 < window.durationHours;
  const shade = window
    ? Array.from({ length: 24 }, (_, h) => h)
        .filter(inWindow)
        .map(
          (h) =>
            `<rect x="${(left + h * barWidth).toFixed(1)}" y="6" width="${barWidth.toFixed(1)}" height="${height - bottom - 6}" class="window"/>`,
        )
        .join('')
    : '';
  const bars = values
    .map(
      (v, h) =>
        `<rect x="${(left + h * barWidth + 2).toFixed(1)}" y="${y(v).toFixed(1)}" width="${(barWidth - 4).toFixed(1)}" height="${(height - bottom - y(v)).toFixed(1)}" class="${inWindow(h) ? 'bar-window' : 'bar-grid'}"/>` +
        (h % 3 === 0
          ? `<text x="${(left + h * barWidth + barWidth / 2).toFixed(1)}" y="${height - 10}" text-anchor="middle" class="label">${hh(h)}</text>`
          : ''),
    )
    .join('');
  const ticks = [0, 0.5, 1]
    .map((f) => {
      const v = (max / 1.1) * f;
      return `<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" class="label">${num(v, 0)}</text>`;
    })
    .join('');
  const windowText = window
    ? `${text.window[language]} ${hh(window.startLocalHour)}–${hh(window.startLocalHour + window.durationHours)} (${profile.timeZone}), ${num(window.windowIntensity_gCO2eq_kWh)} gCO2e/kWh (${escapeHtml(window.workload)})`
    : '';
  const min = Math.min(...values);
  const desc =
    `${profile.zone}, ${season}: ${num(min)}–${num(Math.max(...values))} gCO2e/kWh; ` +
    `${language === 'ko' ? '가장 낮은 시각' : 'lowest at'} ${hh(values.indexOf(min))}. ${windowText}`;
  const tableRows = values
    .map(
      (v, h) =>
        `<tr${inWindow(h) ? ' class="in-window"' : ''}><th scope="row">${hh(h)}</th><td>${num(v)}</td></tr>`,
    )
    .join('');
  return (
    `<figure>` +
    `<svg class="chart" role="img" aria-labelledby="${id}-t ${id}-d" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMinYMin meet">` +
    `<title id="${id}-t">${text.grid[language]}: ${escapeHtml(profile.zone)} (gCO2e/kWh)</title>` +
    `<desc id="${id}-d">${escapeHtml(desc)}</desc>` +
    shade +
    bars +
    ticks +
    `</svg>` +
    `<figcaption>${windowText ? `<strong>${windowText}</strong>. ` : ''}${text.source[language]}: ${escapeHtml(briefSource(profile.source))}</figcaption>` +
    `<details><summary>${text.dataTable[language]}</summary><table><caption>${text.grid[language]}: ${escapeHtml(profile.zone)}</caption>` +
    `<thead><tr><th scope="col">${text.hour[language]}</th><th scope="col">${text.gridValue[language]}</th></tr></thead><tbody>${tableRows}</tbody></table></details>` +
    `</figure>`
  );
}

function bestMeasure(w: WorkloadAssessment): Optimization | undefined {
  return [...(w.optimizations ?? [])].sort(
    (a, b) => b.savings_per_month.kgCO2eq - a.savings_per_month.kgCO2eq,
  )[0];
}

function workloadTable(policy: CarbonCompliancePolicy, language: Language): string {
  const all = policy.status?.workloads ?? [];
  const shown = all.slice(0, MAX_WORKLOADS_PER_POLICY);
  const omitted = all.length - shown.length + (policy.status?.workloadsOmitted ?? 0);
  const rows = shown
    .map((w) => {
      const best = bestMeasure(w);
      const saving = best
        ? `${measureText[best.type][language]}: ${num(best.savings_per_month.kgCO2eq, 2)} kgCO2e, ${num(best.savings_per_month.KRW, 0)} KRW`
        : text.none[language];
      return (
        `<tr><th scope="row">${escapeHtml(w.workload)}</th><td>${escapeHtml(w.kind)}</td><td>${verdictBadge(w.status, language)}</td>` +
        `<td class="num">${num(w.current_carbon_intensity_gCO2eq_kWh)}</td><td class="num">${num(w.target_carbon_intensity_gCO2eq_kWh)}</td>` +
        `<td class="num">${w.gap_percent === null ? '—' : `${w.gap_percent > 0 ? '+' : ''}${num(w.gap_percent)}`}</td>` +
        `<td class="num">${num(w.pue, 2)}</td><td class="num">${num(w.power_watts)}</td>` +
        `<td class="num">${num(w.monthly_projection?.emissions_kgCO2eq, 2)}</td><td>${saving}</td></tr>`
      );
    })
    .join('');
  const key = `${policy.metadata.namespace}/${policy.metadata.name}`;
  return (
    `<table><caption>${text.workloads[language]}: ${escapeHtml(key)}</caption><thead><tr>` +
    [
      text.workloads,
      text.kind,
      text.verdict,
      text.intensity,
      text.target,
      text.gap,
      text.pue,
      text.power,
      text.emissions30d,
      text.bestMeasure,
    ]
      .map((h) => `<th scope="col">${h[language]}</th>`)
      .join('') +
    `</tr></thead><tbody>${rows}</tbody></table>` +
    (omitted > 0 ? `<p>${omitted} ${text.more[language]}</p>` : '')
  );
}

/** The month's carbon budget (status.budget) beside the policy's other figures. */
function budgetFacts(budget: CarbonBudgetStatus | undefined, language: Language): string {
  if (!budget) return '';
  const runsOut =
    budget.state === 'exceeded'
      ? `${text.exhausted[language]} (${budget.projectedExhaustionDate ?? budget.month})`
      : (budget.projectedExhaustionDate ?? text.lastsTheMonth[language]);
  return (
    `<div><dt>${text.budget[language]}</dt><dd>${num(budget.monthToDate_kgCO2eq, 2)} / ${num(budget.budget_kgCO2eq, 2)} ` +
    `<small>(${num(budget.usedPercent, 1)} %, ${escapeHtml(budget.month)})</small></dd></div>` +
    `<div><dt>${text.burnRate[language]}</dt><dd>${num(budget.burnRate_kgCO2eq_per_day, 2)}</dd></div>` +
    `<div><dt>${text.budgetProjection[language]}</dt><dd>${num(budget.projectedMonthEnd_kgCO2eq, 2)}</dd></div>` +
    `<div><dt>${text.exhaustion[language]}</dt><dd>${escapeHtml(runsOut)}</dd></div>`
  );
}

const effectNames: Record<Language, string[]> = {
  ko: ['에너지', '시간대', 'PUE', '전력망 계수'],
  en: ['energy', 'timing', 'PUE', 'grid factor'],
};

/** Why emissions changed between the last two complete months (status.summary.emissionsChange, LMDI). */
function changeFacts(change: EmissionsChange | null | undefined, language: Language): string {
  if (!change) return '';
  const signed = (v: number) => `${v > 0 ? '+' : ''}${num(v, 2)}`;
  const e = change.effects_kgCO2eq;
  const parts = [e.energy, e.timing, e.pue, e.gridFactor]
    .map((v, i) => `${effectNames[language][i]} ${signed(v)}`)
    .join(', ');
  return (
    `<div><dt>${text.change[language]}</dt><dd>${escapeHtml(change.from.month)} → ${escapeHtml(change.to.month)}: ` +
    `${signed(change.change_kgCO2eq)} <small>(${parts})</small></dd></div>`
  );
}

const savingsVerdictText: Record<string, Record<Language, string>> = {
  verified: { ko: '검증됨', en: 'Verified' },
  not_realized: { ko: '절감 없음', en: 'Not realised' },
  too_early: { ko: '데이터 부족 (대기)', en: 'Too early' },
};

/** status.verifiedSavings: each adopted change against its counterfactual (docs/methodology.md § 7.2). */
function verifiedSavingsTable(policy: CarbonCompliancePolicy, language: Language): string {
  const entries = (policy.status?.verifiedSavings ?? []).slice(0, MAX_WORKLOADS_PER_POLICY);
  if (entries.length === 0) return '';
  const side = (v: { schedule?: string; timeZone?: string; pue?: number }) =>
    v.pue !== undefined
      ? `PUE ${num(v.pue, 2)}`
      : `${v.schedule ?? '—'}${v.timeZone ? ` (${v.timeZone})` : ''}`;
  const rows = entries
    .map(
      (v) =>
        `<tr><th scope="row">${escapeHtml(v.workload)}</th>` +
        `<td>${escapeHtml(`${side(v.change.before)} → ${side(v.change.after)}`)}</td>` +
        `<td>${escapeHtml(v.since)}</td><td>${escapeHtml(savingsVerdictText[v.verdict]?.[language] ?? v.verdict)}</td>` +
        `<td class="num">${num(v.kgCO2eq, 3)}</td><td class="num">${v.percent === null || v.percent === undefined ? '—' : num(v.percent)}</td></tr>`,
    )
    .join('');
  return (
    `<table><caption>${text.verifiedSavings[language]}: ${escapeHtml(`${policy.metadata.namespace}/${policy.metadata.name}`)}</caption><thead><tr>` +
    [text.workloads, text.adoptedChange, text.since, text.verdict, text.savedKg, text.savedPercent]
      .map((h) => `<th scope="col">${h[language]}</th>`)
      .join('') +
    `</tr></thead><tbody>${rows}</tbody></table>`
  );
}

function policySection(policy: CarbonCompliancePolicy, language: Language, index: number): string {
  const key = `${policy.metadata.namespace}/${policy.metadata.name}`;
  const s = policy.status?.summary;
  const ready = policy.status?.conditions?.find((c) => c.type === 'Ready');
  const notices = [
    ready && ready.status !== 'True'
      ? `<p class="notice" role="status">${escapeHtml(ready.message)}</p>`
      : '',
    policy.status?.stale
      ? `<p class="notice" role="status">${text.stale[language]}: ${escapeHtml(policy.status.stale.reason)}</p>`
      : '',
  ].join('');
  const facts = s
    ? `<dl class="facts">` +
      `<div><dt>${text.standard[language]}</dt><dd>${escapeHtml(policy.spec?.standard ?? '')}</dd></div>` +
      `<div><dt>${text.intensity[language]}</dt><dd>${num(s.effectiveIntensity_gCO2eq_kWh)}</dd></div>` +
      `<div><dt>${text.target[language]}</dt><dd>${num(s.target_gCO2eq_kWh)}</dd></div>` +
      `<div><dt>${text.pue[language]}</dt><dd>${num(s.pue, 2)} <small>(${escapeHtml(briefSource(s.pueSource, 80))})</small></dd></div>` +
      `<div><dt>${text.emissions30d[language]}</dt><dd>${num(s.emissions_kgCO2eq_per_30d, 2)}</dd></div>` +
      `<div><dt>${text.energy[language]}</dt><dd>${num(s.energy_kWh, 3)}</dd></div>` +
      `<div><dt>${text.nonCompliant[language]}</dt><dd>${s.nonCompliant} / ${s.workloads}</dd></div>` +
      `<div><dt>${text.evaluated[language]}</dt><dd>${escapeHtml(policy.status?.lastEvaluationTime ?? '—')}</dd></div>` +
      budgetFacts(policy.status?.budget, language) +
      changeFacts(s.emissionsChange, language) +
      `</dl>`
    : '';
  const chart = s
    ? intensityChart(
        (policy.status?.workloads ?? []).slice(0, MAX_WORKLOADS_PER_POLICY),
        s.target_gCO2eq_kWh,
        language,
        `p${index}`,
      )
    : '';
  return (
    `<section aria-labelledby="policy-${index}"><h3 id="policy-${index}">${escapeHtml(key)} ${verdictBadge(s?.status, language)}</h3>` +
    notices +
    facts +
    chart +
    (s ? workloadTable(policy, language) : '') +
    verifiedSavingsTable(policy, language) +
    `</section>`
  );
}

/** Zones the policies use (site.zone or a cloud region's zone; KR by default), each with the first recommended window. */
function zonesWithWindows(
  policies: readonly CarbonCompliancePolicy[],
  reference: ReferenceData,
): Map<string, RecommendedWindow | undefined> {
  const zones = new Map<string, RecommendedWindow | undefined>();
  for (const p of policies) {
    const site = p.spec?.site;
    const zone = (
      site?.cloudRegion ? reference.regionZone(site.cloudRegion) : (site?.zone ?? 'KR')
    )?.toUpperCase();
    if (!zone) continue;
    if (!zones.has(zone)) zones.set(zone, undefined);
    if (zones.get(zone)) continue;
    for (const w of p.status?.workloads ?? []) {
      const shift = w.optimizations?.find((o) => o.type === 'temporal_shift' && o.schedule);
      if (shift?.schedule) {
        zones.set(zone, { ...shift.schedule, workload: `${w.namespace}/${w.workload}` });
        break;
      }
    }
  }
  return zones;
}

export interface DashboardView {
  policies: readonly CarbonCompliancePolicy[];
  reference: ReferenceData;
  language: Language;
  now: Date;
  /** Why the cluster cannot be read, when it cannot. */
  unavailable?: string;
}

export function renderDashboard(view: DashboardView): string {
  const { language, now, reference } = view;
  const policies = [...view.policies]
    .sort((a, b) =>
      `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(
        `${b.metadata.namespace}/${b.metadata.name}`,
      ),
    )
    .slice(0, MAX_POLICIES);
  const counts = { policies: view.policies.length, nonCompliant: 0, workloads: 0, emissions: 0 };
  for (const p of view.policies) {
    const s = p.status?.summary;
    if (!s) continue;
    if (s.status === 'NON_COMPLIANT') counts.nonCompliant += 1;
    counts.workloads += s.workloads;
    counts.emissions += s.emissions_kgCO2eq_per_30d;
  }
  const other: Language = language === 'ko' ? 'en' : 'ko';
  const grids = [...zonesWithWindows(policies, reference)]
    .map(([zone, window], i) => {
      const profile = reference.gridProfile(zone);
      return profile
        ? `<section aria-labelledby="grid-${i}"><h3 id="grid-${i}">${escapeHtml(zone)}</h3>${gridChart(profile, now, window, language, `g${i}`)}</section>`
        : '';
    })
    .join('');
  return `<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${text.title[language]}</title>
<style>
:root { color: #1a1a1a; background: #ffffff; font-family: system-ui, 'Noto Sans KR', 'Apple SD Gothic Neo', 'Malgun Gothic', 'NanumGothic', sans-serif; line-height: 1.5; }
body { margin: 0 auto; max-width: 1100px; padding: 0 1rem 3rem; }
a { color: #0b4f8a; }
a:focus, summary:focus { outline: 3px solid #0b4f8a; outline-offset: 2px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; }
header { display: flex; justify-content: space-between; align-items: baseline; border-bottom: 2px solid #1a1a1a; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: .75rem; padding: 0; list-style: none; }
.tiles li { border: 1px solid #6b6b6b; border-radius: 6px; padding: .75rem; }
.tiles strong { display: block; font-size: 1.6rem; }
.badge { display: inline-block; white-space: nowrap; border-radius: 4px; padding: 0 .4rem; font-size: .9rem; font-weight: 600; border: 1px solid currentColor; }
.badge.compliant { color: #0a5c2f; background: #e6f4ea; }
.badge.non_compliant { color: #8a1c1c; background: #fdecea; }
.badge.insufficient_data, .badge.unknown { color: #4a4a4a; background: #f1f1f1; }
.notice { border-left: 4px solid #8a5a00; background: #fff6e0; padding: .5rem .75rem; }
.facts { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: .25rem 1rem; }
.facts dt { font-size: .85rem; color: #4a4a4a; } .facts dd { margin: 0; font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin: .75rem 0; font-size: .9rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { border-bottom: 1px solid #c4c4c4; padding: .3rem .4rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.in-window { background: #e8f0fe; }
.chart { max-width: 640px; display: block; }
.chart .label, .chart .value { font-size: 12px; fill: #1a1a1a; }
.bar-ok { fill: #1e7a46; } .bar-over { fill: #b3261e; } .bar-grid { fill: #5b6b7a; } .bar-window { fill: #0b4f8a; }
.window { fill: #dbe7f7; } .target { stroke: #1a1a1a; stroke-width: 2; stroke-dasharray: 5 3; }
figcaption { font-size: .9rem; }
small { color: #4a4a4a; }
</style>
</head>
<body>
<a class="skip" href="#main">${text.skip[language]}</a>
<header><h1>${text.title[language]}</h1><nav><a href="?lang=${other}" hreflang="${other}" lang="${other}">${text.other[language]}</a></nav></header>
<main id="main">
${view.unavailable ? `<p class="notice" role="alert"><strong>${text.unavailable[language]}:</strong> ${escapeHtml(view.unavailable)}</p>` : ''}
<section aria-labelledby="overview"><h2 id="overview">${text.overview[language]}</h2>
<ul class="tiles">
<li>${text.policies[language]}<strong>${counts.policies}</strong></li>
<li>${text.nonCompliant[language]} (${text.policies[language]})<strong>${counts.nonCompliant}</strong></li>
<li>${text.workloads[language]}<strong>${counts.workloads}</strong></li>
<li>${text.emissions30d[language]}<strong>${num(counts.emissions, 2)}</strong></li>
</ul></section>
<section aria-labelledby="grids"><h2 id="grids">${text.grid[language]}</h2>${grids}</section>
<section aria-labelledby="policies"><h2 id="policies">${text.policies[language]}</h2>
${policies.length === 0 ? `<p>${text.noPolicies[language]}</p>` : policies.map((p, i) => policySection(p, language, i)).join('\n')}
</section>
</main>
</body>
</html>`;
}

function pickLanguage(query: unknown, acceptLanguage: string | undefined): Language {
  if (query === 'ko' || query === 'en') return query;
  const first = (acceptLanguage ?? '').split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : 'ko';
}

/** The API's token, from `Authorization: Bearer <token>` or as the password of HTTP Basic auth. */
function presentedToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const bearer = /^Bearer (\S+)$/.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : undefined;
}

function dashboardAuth(authenticator: CallerAuthenticator): RequestHandler {
  return (req, res, next) => {
    if (authenticator.mode === 'none') {
      next();
      return;
    }
    const language = pickLanguage(req.query.lang, req.headers['accept-language']);
    const refuse = () => {
      res.setHeader('WWW-Authenticate', 'Basic realm="carbon-aware-kepler", charset="UTF-8"');
      res
        .status(401)
        .type('html')
        .send(
          `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><title>401</title></head><body><p>${text.unauthorized[language]}</p></body></html>`,
        );
    };
    const token = presentedToken(req.headers.authorization);
    if (!token) return refuse();
    authenticator.authenticate(token).then(
      (caller) => {
        if (!caller) return refuse();
        req.auth = caller;
        next();
      },
      (error: unknown) => {
        res
          .status(503)
          .type('text/plain')
          .send(`could not verify the token: ${(error as Error).message}`);
      },
    );
  };
}

/** GET / — the dashboard, behind the API's authentication. */
export function dashboardRouter(deps: DashboardDeps, authenticator: CallerAuthenticator): Router {
  const router = express.Router();
  router.get('/', dashboardAuth(authenticator), async (req, res, next) => {
    try {
      const language = pickLanguage(req.query.lang, req.headers['accept-language']);
      const unavailable = deps.policyStatus.unavailableReason?.();
      const policies = unavailable
        ? []
        : await deps.authoriser.visiblePolicies(req.auth, deps.policyStatus.list());
      res.setHeader('Content-Language', language);
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader(
        'Content-Security-Policy',
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      );
      res.type('html').send(
        renderDashboard({
          policies,
          reference: deps.reference,
          language,
          now: (deps.now ?? (() => new Date()))(),
          ...(unavailable ? { unavailable } : {}),
        }),
      );
    } catch (error) {
      next(error);
    }
  });
  return router;
}
