import pino from 'pino';
import { loadReferenceData } from './operator-reference-data.js';

describe('reference data from the operator data files', () => {
  test('the shipped catalogue and the KR profile are served; unknown zones are absent, not errors', async () => {
    const data = await loadReferenceData(undefined, pino({ level: 'silent' }));
    expect(data.standards().map((s) => s.code)).toEqual(
      expect.arrayContaining(['KR_CARBON_2050', 'KR_PUE_GREEN_DC']),
    );
    expect(data.standard('KR_CARBON_2050')?.carbonTarget_gCO2eq_kWh?.source).toBeTruthy();
    expect(data.zones()).toContain('KR');
    const kr = data.gridProfile('kr');
    expect(kr?.timeZone).toBe('Asia/Seoul');
    expect(kr?.source).toBeTruthy();
    expect(data.gridProfile('NOWHERE')).toBeUndefined();
  });
});
