// Reference data the front end shows next to policy status: the standards catalogue and grid
// intensity profiles. Both come from the operator's data files (operator/grid), never from code here.
import type { HourlyIntensityProfile, StandardDefinition } from '../operator/engine/types.js';

export interface ReferenceData {
  standards(): readonly StandardDefinition[];
  standard(code: string): StandardDefinition | undefined;
  /** Zones with a grid profile, e.g. ['KR', 'JP', …]. */
  zones(): readonly string[];
  gridProfile(zone: string): HourlyIntensityProfile | undefined;
}
