// Reference data the front end shows next to policy status: the standards catalogue and grid
// intensity profiles. Both come from the operator's data files (operator/reference-data), never from code here.
import type { HourlyIntensityProfile, SiteBinder, StandardDefinition } from '../operator/public-api.js';

export interface ReferenceData {
  standards(): readonly StandardDefinition[];
  standard(code: string): StandardDefinition | undefined;
  /** Zones with a grid profile, e.g. ['KR', 'JP', …]. */
  zones(): readonly string[];
  gridProfile(zone: string): HourlyIntensityProfile | undefined;
  /** Cloud regions with data ('aws/ap-northeast-2', …). */
  regionKeys(): readonly string[];
  /** The grid zone of a cloud region ('aws/ap-northeast-2' → 'KR'), undefined if unknown. */
  regionZone(cloudRegion: string): string | undefined;
  /** The operator's binding path: the same site, PUE and region comparison as the policy status. */
  binder: SiteBinder;
}
