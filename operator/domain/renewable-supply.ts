// Contractual renewable supply a policy may declare (spec.site.renewableSupply): the instruments of
// Korea's K-RE100 scheme (MOTIE, in operation since 2021-01). The CRD's schema enumerates them and the
// engine's market-based accounting (engine/market-based.ts) prices them.
export const RENEWABLE_INSTRUMENTS = [
  'greenPremium',
  'recPurchase',
  'thirdPartyPpa',
  'directPpa',
  'selfGeneration',
] as const;
export type RenewableInstrument = (typeof RENEWABLE_INSTRUMENTS)[number];

/** One declared instrument: a share of the site's consumption, or MWh per year. */
export interface RenewableSupply {
  instrument: RenewableInstrument;
  /** 0..1 of the site's consumption covered. */
  share?: number;
  /** MWh per year contracted; allocated against the policy's projected annual facility energy. */
  mWhPerYear?: number;
}
