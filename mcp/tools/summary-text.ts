// Small wording helpers for the human summaries (ko/en).
import { formatNumber as formatWithDigits } from '../../operator/engine/messages.js';
import type { ComplianceStatus, Language } from '../../operator/domain/types.js';

const labels: Record<ComplianceStatus, Record<Language, string>> = {
  COMPLIANT: { ko: '준수(COMPLIANT)', en: 'COMPLIANT' },
  NON_COMPLIANT: { ko: '미준수(NON_COMPLIANT)', en: 'NON_COMPLIANT' },
  INSUFFICIENT_DATA: { ko: '데이터 부족(INSUFFICIENT_DATA)', en: 'INSUFFICIENT_DATA' },
};

export function statusLabel(status: ComplianceStatus, language: Language): string {
  return labels[status][language];
}

/** The engine's cached formatter (one Intl.NumberFormat per precision); whole numbers by default here. */
export function formatNumber(value: number, fractionDigits = 0): string {
  return formatWithDigits(value, fractionDigits);
}
