// Builds the live grid refresher the cluster admin configured (--electricity-maps-token-file and
// friends, the chart's gridData.electricityMaps values): none when no token file is set. The token
// is read from a file mounted from a Secret, never from a flag value or a chart value.
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { Agent } from 'undici';
import { ElectricityMapsProvider } from '../sources/electricity-maps-provider.js';
import { LiveGridRefresher } from '../sources/live-grid-refresher.js';
import type { OperatorConfig } from './operator-config.js';

export interface LiveGrid {
  refresher: LiveGridRefresher;
  close(): Promise<void>;
}

type LiveGridConfig = Pick<
  OperatorConfig,
  | 'electricityMapsTokenFile'
  | 'electricityMapsUrl'
  | 'electricityMapsCaFile'
  | 'electricityMapsZones'
  | 'electricityMapsRefreshInterval'
  | 'electricityMapsTimeout'
>;

export function createLiveGrid(
  config: LiveGridConfig,
  logger: Logger,
  onUpdate: (zone: string) => void,
  /** The refresher's clock (fetch times, retention); the system clock by default. */
  clock?: () => Date,
): LiveGrid | undefined {
  if (!config.electricityMapsTokenFile) return undefined;
  const read = (file: string, flag: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new Error(`invalid configuration: --${flag}: cannot read ${file}: ${(error as Error).message}`);
    }
  };
  const tokenFile = config.electricityMapsTokenFile;
  const apiKey = read(tokenFile, 'electricity-maps-token-file').trim();
  if (!apiKey) {
    throw new Error(`invalid configuration: --electricity-maps-token-file: ${tokenFile} is empty`);
  }
  const timeout_ms = config.electricityMapsTimeout * 1000;
  const ca = config.electricityMapsCaFile
    ? read(config.electricityMapsCaFile, 'electricity-maps-ca-file')
    : undefined;
  const dispatcher = new Agent({ connect: { timeout: timeout_ms, ...(ca ? { ca } : {}) } });
  const clientFor = (token: string) =>
    new ElectricityMapsProvider({
      apiKey: token,
      ...(config.electricityMapsUrl ? { baseUrl: config.electricityMapsUrl } : {}),
      timeout_ms,
      dispatcher,
    });
  // The token file is re-read before each fetch, so a rotated Secret applies at the next refresh; an
  // unreadable or empty file mid-update keeps the token in use.
  let token = apiKey;
  let client = clientFor(token);
  const current = (): ElectricityMapsProvider => {
    let next = '';
    try {
      next = readFileSync(tokenFile, 'utf8').trim();
    } catch {
      // the kubelet is swapping the Secret's files: keep the token in use
    }
    if (next && next !== token) {
      token = next;
      client = clientFor(token);
      logger.info('electricity maps token file changed: using the new token');
    }
    return client;
  };
  const provider = {
    history: (zone: string) => current().history(zone),
    forecast: (zone: string) => current().forecast(zone),
  };
  const refresher = new LiveGridRefresher({
    provider,
    providerName: 'Electricity Maps API v3 (lifecycle)',
    ...(config.electricityMapsZones ? { zones: config.electricityMapsZones } : {}),
    interval_ms: config.electricityMapsRefreshInterval * 1000,
    logger: logger.child({ component: 'live-grid' }),
    onUpdate,
    ...(clock ? { clock } : {}),
  });
  logger.info(
    {
      zones: config.electricityMapsZones ?? 'every zone a policy binds',
      refreshSeconds: config.electricityMapsRefreshInterval,
    },
    'live grid data configured (Electricity Maps)',
  );
  return {
    refresher,
    close: async () => {
      await refresher.stop();
      await dispatcher.close();
    },
  };
}
