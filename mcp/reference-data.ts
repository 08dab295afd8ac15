// Reference data the front end shows next to policy status: the standards catalogue and grid
// intensity profiles. Both come from the operator's data files (operator/grid), never from code here.
import type { CandidateRegion } from '../operator/engine/regional-migration.js';
import type { HourlyIntensityProfile, Sourced, StandardDefinition } from '../operator/engine/types.js';

export interface ReferenceData {
  standards(): readonly StandardDefinition[];
  standard(code: string): StandardDefinition | undefined;
  /** Zones with a grid profile, e.g. ['KR', 'JP', …]. */
  zones(): readonly string[];
  gridProfile(zone: string): HourlyIntensityProfile | undefined;
  /** Cloud regions with data ('aws/ap-northeast-2', …). */
  regionKeys(): readonly string[];
  /** A region (or a bare grid zone) as a migration candidate: annual intensity and PUE, each sourced. */
  candidateRegion(regionOrZone: string): CandidateRegion | undefined;
  /** The catalogue's default PUE (for sites without a configured or published one). */
  defaultPue(): Sourced<number> | undefined;
}
