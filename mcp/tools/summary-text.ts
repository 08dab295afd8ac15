// Small wording helpers for the human summaries (ko/en).
import type { ComplianceStatus, Language } from '../../operator/engine/types.js';

const labels: Record<ComplianceStatus, Record<Language, string>> = {
  COMPLIANT: { ko: '준수(COMPLIANT)', en: 'COMPLIANT' },
  NON_COMPLIANT: { ko: '미준수(NON_COMPLIANT)', en: 'NON_COMPLIANT' },
  INSUFFICIENT_DATA: { ko: '데이터 부족(INSUFFICIENT_DATA)', en: 'INSUFFICIENT_DATA' },
};

export function statusLabel(status: ComplianceStatus, language: Language): string {
  return labels[status][language];
}

export function formatNumber(value: number, fractionDigits = 0): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: fractionDigits, minimumFractionDigits: 0 });
}
