// Market-based accounting (GHG Protocol Scope 2 Guidance, 2015, ch. 6–7): declared contractual
// renewable supply covers a share of the facility's consumption at 0 gCO2eq/kWh; the rest keeps the
// location-based grid factor, because Korea publishes no residual mix and none is invented here.
// The instruments are those of Korea's K-RE100 scheme (MOTIE, in operation since 2021-01: green
// premium, REC purchase, third-party PPA, direct PPA, self-generation). Pure.
import type { RenewableInstrument, RenewableSupply } from '../domain/renewable-supply.js';
import type { RenewableCoverage, WorkloadEnergyInput } from '../domain/types.js';

const INSTRUMENT_NOTES: Record<RenewableInstrument, string> = {
  greenPremium:
    'K-RE100 green premium (KEPCO tariff option; no certificate changes hands, so its acceptance under the Scope 2 quality criteria is disputed: Yang & Lee 2022, New & Renewable Energy 18(3) 43-59, doi:10.7849/ksnre.2022.0028)',
  recPurchase: 'K-RE100 REC purchase (renewable-use certificate issued by the Korea Energy Agency)',
  thirdPartyPpa: 'K-RE100 third-party PPA through KEPCO',
  directPpa: 'K-RE100 direct PPA with a generator',
  selfGeneration: 'K-RE100 self-generation (on-site or owned renewable plant)',
};

const HOURS_PER_YEAR = 8760;

/** Facility energy (IT × PUE) the policy's workloads would use in a year, from the hours observed. */
export function annualFacilityEnergy_kWh(inputs: WorkloadEnergyInput[], pue: number): number {
  let total = 0;
  for (const input of inputs) {
    let energy = 0;
    let hours = 0;
    for (const h of input.hourly) {
      if (!(h.energy_kWh > 0)) continue;
      energy += h.energy_kWh;
      hours += 1;
    }
    if (hours > 0) total += (energy / hours) * HOURS_PER_YEAR * pue;
  }
  return total;
}

/** The share of facility energy the declared supply covers (capped at 1), with its source. */
export function renewableCoverage(supply: RenewableSupply[], annualFacility_kWh: number): RenewableCoverage {
  let share = 0;
  const parts: string[] = [];
  for (const s of supply) {
    if (s.share !== undefined) {
      share += s.share;
      parts.push(`${INSTRUMENT_NOTES[s.instrument]}: ${Math.round(s.share * 1000) / 10} % declared`);
    } else if (s.mWhPerYear !== undefined) {
      const covered = annualFacility_kWh > 0 ? (s.mWhPerYear * 1000) / annualFacility_kWh : 1;
      share += covered;
      parts.push(
        `${INSTRUMENT_NOTES[s.instrument]}: ${s.mWhPerYear} MWh/yr against ${Math.round(annualFacility_kWh / 1000)} MWh/yr projected facility energy`,
      );
    }
  }
  const capped = Math.min(1, share);
  return {
    share: capped,
    source:
      `configured: spec.site.renewableSupply, covered share ${Math.round(capped * 1000) / 10} % at 0 gCO2eq/kWh ` +
      `(GHG Protocol Scope 2 Guidance 2015, market-based method and quality criteria; K-RE100 instruments): ` +
      parts.join('; ') +
      (share > 1 ? ' (declared supply exceeds consumption: capped at 100 %)' : ''),
  };
}
