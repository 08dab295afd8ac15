import { buildCloudRegions, parseCsv, regionsInMapping } from '../../hack/build-cloud-regions.js';
import { cloudRegion, cloudRegionFactors, cloudRegions } from './cloud-regions-file.js';
import { parseCloudRegions, UnknownCloudRegionError } from './cloud-regions.js';
import { readDataFile } from './data-files.js';

describe('cloud regions', () => {
  it('answers for the Seoul regions with zone KR, provider PUE and grid factor', () => {
    const aws = cloudRegion('aws/ap-northeast-2');
    expect(aws).toMatchObject({
      provider: 'aws',
      region: 'ap-northeast-2',
      location: 'Seoul KR',
      zone: 'KR',
    });
    expect(aws.pue?.value).toBe(1.135);
    expect(aws.pue?.source).toMatch(/conservative guess/);
    expect(aws.gridFactor?.value).toBe(415.6);
    expect(aws.gridFactor?.source).toMatch(/carbonfootprint\.com/);
    const gcp = cloudRegion('gcp/asia-northeast3');
    expect(gcp.zone).toBe('KR');
    expect(gcp.pue?.value).toBe(1.1);
    expect(gcp.gridFactor?.value).toBe(356.57); // Google 2024 published
    expect(cloudRegion('azure/koreasouth')).toMatchObject({ zone: 'KR', location: 'Busan KR' });
    expect(cloudRegion('azure/koreacentral').pue?.value).toBe(1.185);
  });

  it('uses Google region PUE where CCF lists one and the Electricity Maps zone from the CCF mapping', () => {
    expect(cloudRegion('gcp/us-east4').pue?.value).toBe(1.08);
    expect(cloudRegion('gcp/europe-north1').pue?.value).toBe(1.09);
    expect(cloudRegion('aws/eu-north-1').zone).toBe('SE-SE3');
    expect(cloudRegion('aws/us-west-2').zone).toBe('US-NW-PACW');
    expect(cloudRegion('aws/ap-northeast-1').zone).toBe('JP-TK');
  });

  it('lists regions, keeps all factors, and names an unknown region', () => {
    expect(cloudRegions().length).toBeGreaterThanOrEqual(28);
    expect(cloudRegionFactors('gcp/asia-northeast3').map((f) => f.value_gCO2eq_kWh)).toEqual(
      expect.arrayContaining([490, 457, 425, 378, 356.57, 293.25]),
    );
    expect(() => cloudRegion('aws/mars-1')).toThrow(UnknownCloudRegionError);
    expect(() => cloudRegion('aws/mars-1')).toThrow(/aws\/mars-1/);
  });

  it('the committed JSON is what the build script makes from the CSV', () => {
    const built = buildCloudRegions(readDataFile('region-factors.csv'));
    expect(JSON.parse(readDataFile('cloud-regions.json'))).toEqual(built);
  });

  it('every region, PUE, factor and zone has a source', () => {
    for (const r of Object.values(parseCloudRegions(readDataFile('cloud-regions.json')))) {
      expect(r.zoneSource.length).toBeGreaterThan(10);
      if (r.pue) expect(r.pue.source.length).toBeGreaterThan(10);
      if (r.gridFactor) expect(r.gridFactor.source.length).toBeGreaterThan(10);
      for (const f of r.factors) expect(f.source.length).toBeGreaterThan(10);
    }
  });

  it('bad files name the field', () => {
    const good = JSON.parse(readDataFile('cloud-regions.json')) as {
      regions: Record<string, { pue: { value: number } }>;
    };
    const bad = structuredClone(good);
    bad.regions['aws/ap-northeast-2']!.pue.value = 0.9;
    expect(() => parseCloudRegions(JSON.stringify(bad))).toThrow(
      /cloud-regions\.json: regions\.aws\/ap-northeast-2\.pue\.value/,
    );
  });

  it('parses quoted CSV fields and CCF mappings', () => {
    expect(parseCsv('a,"b,c",""""\n1,2,3\n')).toEqual([
      ['a', 'b,c', '"'],
      ['1', '2', '3'],
    ]);
    expect(
      regionsInMapping(
        'aws ap-northeast-2 / azure koreacentral,koreasouth / gcp asia-northeast3 (CCF mapping)',
      ),
    ).toEqual(['aws/ap-northeast-2', 'azure/koreacentral', 'azure/koreasouth', 'gcp/asia-northeast3']);
    expect(regionsInMapping('aws ca-central-1, gcp northamerica-northeast1 (CCF mapping)')).toEqual([
      'aws/ca-central-1',
      'gcp/northamerica-northeast1',
    ]);
  });
});
