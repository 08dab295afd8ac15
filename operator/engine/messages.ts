// Every sentence the engine writes, in Korean and English, in one place. Each takes the numbers it
// states as arguments: no sentence carries a fixed percentage.
import type { Language } from '../domain/types.js';

type Text = { ko: string; en: string };

const pick = (language: Language, text: Text): string => text[language];

// toLocaleString builds a formatter per call, which dominated a policy's evaluation: keep one per precision.
const numberFormats = new Map<number, Intl.NumberFormat>();

/** Numbers as people read them: thousands separators, at most `digits` decimals. */
export function formatNumber(value: number, digits = 1): string {
  let format = numberFormats.get(digits);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
    numberFormats.set(digits, format);
  }
  return format.format(value);
}

const hh = (hour: number) => `${String(hour).padStart(2, '0')}:00`;

export const messages = {
  insufficientData: (language: Language) =>
    pick(language, {
      ko: '평가 기간에 에너지 측정값이 없어 판정할 수 없습니다 (INSUFFICIENT_DATA).',
      en: 'No energy was measured in the window, so no verdict can be given (INSUFFICIENT_DATA).',
    }),

  verdict: (
    language: Language,
    v: {
      compliant: boolean;
      intensity: number;
      /** Null: the carbon criterion is not assessed (a PUE standard). */
      target: number | null;
      gapPercent: number | null;
      pue: number;
      maxPue: number | null;
      pueCompliant: boolean;
      pueCertificationPoints?: number | null;
    },
  ) => {
    if (v.target === null || v.gapPercent === null) {
      const points =
        v.pueCertificationPoints === null || v.pueCertificationPoints === undefined
          ? { ko: '', en: '' }
          : {
              ko: ` (그린데이터센터 인증 PUE 점수 ${v.pueCertificationPoints}점)`,
              en: ` (${v.pueCertificationPoints} green data-centre certification PUE points)`,
            };
      return pick(language, {
        ko: `${v.compliant ? '준수' : '미준수'}: PUE ${v.pue}, 최대 ${v.maxPue ?? '-'}${points.ko}. 이 표준은 PUE만 평가합니다 (실효 탄소 집약도 ${formatNumber(v.intensity)} gCO2eq/kWh는 참고값).`,
        en: `${v.compliant ? 'COMPLIANT' : 'NON-COMPLIANT'}: PUE ${v.pue} against a maximum of ${v.maxPue ?? '-'}${points.en}. This standard assesses PUE only (effective carbon intensity ${formatNumber(v.intensity)} gCO2eq/kWh for reference).`,
      });
    }
    const gap = `${v.gapPercent > 0 ? '+' : ''}${formatNumber(v.gapPercent)}`;
    const pueText =
      v.maxPue === null
        ? pick(language, { ko: `PUE ${v.pue}`, en: `PUE ${v.pue}` })
        : pick(language, {
            ko: `PUE ${v.pue} (최대 ${v.maxPue}${v.pueCompliant ? ' 이내' : ' 초과'})`,
            en: `PUE ${v.pue} (max ${v.maxPue}${v.pueCompliant ? ', within' : ', exceeded'})`,
          });
    return v.compliant
      ? pick(language, {
          ko: `준수: 실효 탄소 집약도 ${formatNumber(v.intensity)} gCO2eq/kWh, 목표 ${formatNumber(v.target)} 대비 ${gap}%; ${pueText}.`,
          en: `COMPLIANT: effective carbon intensity ${formatNumber(v.intensity)} gCO2eq/kWh, ${gap} % against the ${formatNumber(v.target)} target; ${pueText}.`,
        })
      : pick(language, {
          ko: `미준수: 실효 탄소 집약도 ${formatNumber(v.intensity)} gCO2eq/kWh, 목표 ${formatNumber(v.target)} 대비 ${gap}%; ${pueText}.`,
          en: `NON-COMPLIANT: effective carbon intensity ${formatNumber(v.intensity)} gCO2eq/kWh, ${gap} % against the ${formatNumber(v.target)} target; ${pueText}.`,
        });
  },

  combinedOutlook: (
    language: Language,
    v: {
      reductionPercent: number;
      projected: number;
      target: number | null;
      reaches: boolean;
      kgPerMonth: number;
    },
  ) =>
    v.target === null
      ? pick(language, {
          ko: `아래 조치를 모두 적용하면 배출량이 ${formatNumber(v.reductionPercent)}% 줄어듭니다 (월 ${formatNumber(v.kgPerMonth, 2)} kgCO2eq).`,
          en: `Applying all measures below cuts emissions by ${formatNumber(v.reductionPercent)} % (${formatNumber(v.kgPerMonth, 2)} kgCO2eq/month).`,
        })
      : v.reaches
        ? pick(language, {
            ko: `아래 조치를 모두 적용하면 ${formatNumber(v.reductionPercent)}% 감축되어 ${formatNumber(v.projected)} gCO2eq/kWh로 목표 ${formatNumber(v.target)}를 충족합니다 (월 ${formatNumber(v.kgPerMonth, 2)} kgCO2eq 절감).`,
            en: `Applying all measures below cuts ${formatNumber(v.reductionPercent)} % to ${formatNumber(v.projected)} gCO2eq/kWh, meeting the ${formatNumber(v.target)} target (${formatNumber(v.kgPerMonth, 2)} kgCO2eq/month saved).`,
          })
        : pick(language, {
            ko: `아래 조치를 모두 적용해도 ${formatNumber(v.reductionPercent)}% 감축(${formatNumber(v.projected)} gCO2eq/kWh)에 그쳐 목표 ${formatNumber(v.target)}에 미달합니다.`,
            en: `Even with all measures below the cut is ${formatNumber(v.reductionPercent)} % (${formatNumber(v.projected)} gCO2eq/kWh), short of the ${formatNumber(v.target)} target.`,
          }),

  noAdvice: (language: Language) =>
    pick(language, {
      ko: '데이터로 뒷받침되는 개선 조치가 없습니다.',
      en: 'No improvement is supported by the data.',
    }),

  temporalShift: (
    language: Language,
    v: {
      startHour: number;
      hours: number;
      timeZone: string;
      windowIntensity: number;
      current: number;
      percent: number;
      /** Energy cost change per month at the tariff: positive = saves, negative = costs more; null = no tariff. */
      energyCostSaved_KRW: number | null;
    },
  ) => {
    const krw = v.energyCostSaved_KRW === null ? null : Math.round(v.energyCostSaved_KRW);
    const cost =
      krw === null
        ? { ko: '', en: '' }
        : krw >= 0
          ? {
              ko: ` 요금제 기준 전력 요금은 월 ${formatNumber(krw, 0)}원 줄어듭니다.`,
              en: ` At the tariff its energy costs ${formatNumber(krw, 0)} KRW/month less.`,
            }
          : {
              ko: ` 다만 요금제 기준 전력 요금은 월 ${formatNumber(-krw, 0)}원 늘어납니다.`,
              en: ` At the tariff its energy costs ${formatNumber(-krw, 0)} KRW/month MORE.`,
            };
    return pick(language, {
      ko: `실행 시간을 ${v.timeZone} ${hh(v.startHour)}부터 ${formatNumber(v.hours)}시간 구간으로 옮기면 전력망 집약도가 ${formatNumber(v.current)}에서 ${formatNumber(v.windowIntensity)} gCO2eq/kWh로 낮아져 ${formatNumber(v.percent)}% 감축됩니다.${cost.ko}`,
      en: `Run it in the ${formatNumber(v.hours)}-hour window starting ${hh(v.startHour)} ${v.timeZone}: grid intensity falls from ${formatNumber(v.current)} to ${formatNumber(v.windowIntensity)} gCO2eq/kWh, a ${formatNumber(v.percent)} % cut.${cost.en}`,
    });
  },

  shiftNotCleaner: (language: Language, v: { hours: number; windowIntensity: number }) =>
    pick(language, {
      ko: `가장 깨끗한 ${formatNumber(v.hours)}시간 구간(${formatNumber(v.windowIntensity)} gCO2eq/kWh)도 지금보다 깨끗하지 않습니다.`,
      en: `The best ${formatNumber(v.hours)} h window (${formatNumber(v.windowIntensity)} gCO2eq/kWh) is not cleaner than now.`,
    }),

  shiftOutsideAllowedHours: (language: Language, v: { hours: number; allowed: number[] }) =>
    pick(language, {
      ko: `${formatNumber(v.hours)}시간 실행이 허용된 시간(spec.actions.allowedHours, KST: ${v.allowed.join(', ')}시) 안에 들어가는 시작 시각이 없습니다.`,
      en: `No start of the ${formatNumber(v.hours)} h run lies wholly inside the allowed hours (spec.actions.allowedHours, KST: ${v.allowed.join(', ')}).`,
    }),

  shiftWithinModelError: (
    language: Language,
    v: { hours: number; percent: number; errorPercent: number; season: string; measured: boolean },
  ) => {
    const seasonKo: Record<string, string> = { spring: '봄', summer: '여름', autumn: '가을', winter: '겨울' };
    return pick(language, {
      ko: `가장 깨끗한 ${formatNumber(v.hours)}시간 구간으로 옮겨도 감축은 ${formatNumber(v.percent)}%로, 모델링한 시간별 집약도 프로파일의 ${seasonKo[v.season] ?? v.season} 오차 ${formatNumber(v.errorPercent)}%(${v.measured ? '실제 KPX 일자 대비 측정값' : '해당 계절의 실제 일자가 없어 가정한 값'}) 이내이므로 권고하지 않습니다.`,
      en: `Not advised: the best ${formatNumber(v.hours)} h window cuts ${formatNumber(v.percent)} %, within the modelled hourly profile's ${v.season} error of ${formatNumber(v.errorPercent)} % (${v.measured ? 'measured against real KPX days' : 'assumed: no real day in that season'}).`,
    });
  },

  continuousNoShift: (language: Language) =>
    pick(language, {
      ko: '상시 실행 워크로드는 매시간 전력을 쓰므로 시간대 이동으로 줄일 수 없습니다 (배치성 작업이 아님).',
      en: 'A continuously running workload uses power every hour, so moving it in time changes nothing (it is not batch-like).',
    }),

  runTooLong: (language: Language, hours: number) =>
    pick(language, {
      ko: `실행 시간 ${formatNumber(hours)}시간은 하루 전체에 걸치므로 시간대 이동으로 줄일 수 없습니다.`,
      en: `A ${formatNumber(hours)}-hour run spans the whole day, so moving it in time changes nothing.`,
    }),

  noCleanerWindow: (language: Language, v: { hours: number; windowIntensity: number; current: number }) =>
    pick(language, {
      ko: `가장 깨끗한 ${formatNumber(v.hours)}시간 구간(${formatNumber(v.windowIntensity)} gCO2eq/kWh)도 현재 실행 시간대(${formatNumber(v.current)})보다 의미 있게 낮지 않습니다.`,
      en: `The cleanest ${formatNumber(v.hours)}-hour window (${formatNumber(v.windowIntensity)} gCO2eq/kWh) is not meaningfully cleaner than the hours it runs now (${formatNumber(v.current)}).`,
    }),

  noRightSizing: (language: Language, hasUsage: boolean) =>
    hasUsage
      ? pick(language, {
          ko: '리소스 요청이 이미 p95 사용량에 맞거나, 요청·사용량 중 하나가 알려지지 않았습니다.',
          en: 'Requests already fit p95 usage, or the request or the usage is unknown.',
        })
      : pick(language, {
          ko: '사용량 데이터가 없어 리소스 조정을 권하지 않습니다.',
          en: 'No usage data, so no resizing is advised.',
        }),

  noMigration: (language: Language, candidates: number) =>
    candidates === 0
      ? pick(language, {
          ko: '비교할 후보 리전이 없습니다 (spec.recommendations.candidateRegions).',
          en: 'No candidate region to compare with (spec.recommendations.candidateRegions).',
        })
      : pick(language, {
          ko: `후보 리전 ${candidates}곳 중 현재보다 깨끗한 곳이 없습니다.`,
          en: `None of the ${candidates} candidate regions is cleaner than the current site.`,
        }),

  rightSizing: (
    language: Language,
    v: {
      cpuFrom?: number;
      cpuTo?: number;
      memFromMiB?: number;
      memToMiB?: number;
      freedCores: number;
      freedGiB: number;
    },
  ) => {
    const parts: Text[] = [];
    if (v.cpuFrom !== undefined && v.cpuTo !== undefined)
      parts.push({
        ko: `CPU 요청 ${formatNumber(v.cpuFrom, 3)} → ${formatNumber(v.cpuTo, 3)} 코어`,
        en: `CPU request ${formatNumber(v.cpuFrom, 3)} → ${formatNumber(v.cpuTo, 3)} cores`,
      });
    if (v.memFromMiB !== undefined && v.memToMiB !== undefined)
      parts.push({
        ko: `메모리 요청 ${formatNumber(v.memFromMiB, 0)} → ${formatNumber(v.memToMiB, 0)} MiB`,
        en: `memory request ${formatNumber(v.memFromMiB, 0)} → ${formatNumber(v.memToMiB, 0)} MiB`,
      });
    return pick(language, {
      ko: `리소스 요청을 p95 사용량에 맞추세요 (${parts.map((p) => p.ko).join(', ')}): CPU ${formatNumber(v.freedCores, 3)} 코어, 메모리 ${formatNumber(v.freedGiB, 2)} GiB의 용량이 확보됩니다. 요청을 줄여도 Kepler가 측정하는 이 워크로드의 에너지는 변하지 않으므로, 노드 수를 줄이기 전에는 에너지·배출·비용 절감은 0으로 계산합니다.`,
      en: `Fit resource requests to p95 usage (${parts.map((p) => p.en).join(', ')}): this frees ${formatNumber(v.freedCores, 3)} CPU cores and ${formatNumber(v.freedGiB, 2)} GiB of memory. Lower requests do not change the energy Kepler attributes to this workload, so energy, emissions and cost savings count as zero until the freed capacity lets you run fewer nodes.`,
    });
  },

  rightSizingNoSavings: (language: Language) =>
    pick(language, {
      ko: '절감 0: 요청 축소는 Kepler가 측정한 워크로드 에너지를 바꾸지 않음. 확보 용량이 노드 축소로 이어질 때만 절감이 생김 (이 엔진은 노드 구성을 모름)',
      en: 'savings 0: lowering requests does not change the workload energy Kepler measures; savings arise only if the freed capacity removes nodes (this engine does not know the node packing)',
    }),

  regionalMigration: (
    language: Language,
    v: { region: string; effective: number; current: number; percent: number },
  ) =>
    pick(language, {
      ko: `${v.region}(으)로 이전하면 실효 집약도가 ${formatNumber(v.current)}에서 ${formatNumber(v.effective)} gCO2eq/kWh(연평균 전력망 × PUE)로 ${formatNumber(v.percent)}% 감축됩니다.`,
      en: `Moving to ${v.region} takes the effective intensity from ${formatNumber(v.current)} to ${formatNumber(v.effective)} gCO2eq/kWh (annual grid × PUE), a ${formatNumber(v.percent)} % cut.`,
    }),

  residencyCaveat: (language: Language) =>
    pick(language, {
      ko: '개인정보를 처리하는 워크로드를 국외로 이전하려면 개인정보 보호법 제28조의8(개인정보의 국외 이전)에 따른 동의 또는 다른 법적 근거가 필요합니다. 데이터 현지화 요건을 먼저 확인하세요.',
      en: 'A workload that processes personal information may move abroad only on a legal basis under the Personal Information Protection Act Art. 28-8 (cross-border transfer), e.g. consent; check data-residency duties first.',
    }),

  sameCountryCaveat: (language: Language) =>
    pick(language, {
      ko: '같은 국가 내 이전이므로 국외 이전 규정은 적용되지 않지만, 계약상 데이터 위치 조건을 확인하세요.',
      en: 'The move stays in the same country, so cross-border transfer rules do not apply; check contractual data-location terms.',
    }),

  pueImprovement: (language: Language, v: { pue: number; maxPue: number; percent: number }) =>
    pick(language, {
      ko: `시설 PUE를 ${v.pue}에서 기준 최대값 ${v.maxPue}로 낮추면 ${formatNumber(v.percent)}% 감축됩니다 (냉각·전력 설비 효율 개선, 또는 PUE가 더 낮은 시설로 이전).`,
      en: `Bringing the facility PUE from ${v.pue} down to the standard's maximum ${v.maxPue} cuts ${formatNumber(v.percent)} % (cooling and power-chain efficiency, or a facility with a lower PUE).`,
    }),
};
