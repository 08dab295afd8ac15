// Configuration checks that keep a credential safe: a bearer token is never sent over plain http
// to Kepler or Prometheus unless the admin says so explicitly.
import { loadOperatorConfig, usageFrom } from './operator-config.js';

const load = (argv: string[]) => loadOperatorConfig(argv, {});

describe('bearer tokens over plain http', () => {
  test('refused for discovered Kepler endpoints on http, naming the flag', () => {
    expect(() => load(['--kepler-token-file', '/var/run/token'])).toThrow(
      /--kepler-token-file \(env KEPLER_TOKEN_FILE\): a bearer token would be sent over plain http/,
    );
    expect(load(['--kepler-token-file', '/var/run/token', '--kepler-scheme', 'https']).keplerTokenFile).toBe(
      '/var/run/token',
    );
  });

  test('refused for a static http Kepler endpoint, allowed when every endpoint is https', () => {
    expect(() =>
      load([
        '--kepler-token-file',
        '/t',
        '--kepler-scheme',
        'https',
        '--kepler-endpoints',
        'https://a:28282/metrics,http://b:28282/metrics',
      ]),
    ).toThrow(/plain http/);
    expect(
      load(['--kepler-token-file', '/t', '--kepler-endpoints', 'https://a:28282/metrics']).keplerEndpoints,
    ).toEqual(['https://a:28282/metrics']);
  });

  test('refused for an http Prometheus URL', () => {
    expect(() =>
      load([
        '--source',
        'prometheus',
        '--prometheus-url',
        'http://prom:9090',
        '--prometheus-token-file',
        '/t',
      ]),
    ).toThrow(
      /--prometheus-token-file \(env PROMETHEUS_TOKEN_FILE\): a bearer token would be sent over plain http/,
    );
    expect(
      load([
        '--source',
        'prometheus',
        '--prometheus-url',
        'https://prom:9090',
        '--prometheus-token-file',
        '/t',
      ]).prometheusTokenFile,
    ).toBe('/t');
  });

  test('allowed with the explicit flag or env, and without a token', () => {
    expect(load(['--kepler-token-file', '/t', '--allow-bearer-over-http', 'true']).allowBearerOverHttp).toBe(
      true,
    );
    expect(
      loadOperatorConfig(['--source', 'prometheus', '--prometheus-url', 'http://prom:9090'], {
        PROMETHEUS_TOKEN_FILE: '/t',
        ALLOW_BEARER_OVER_HTTP: 'true',
      }).prometheusTokenFile,
    ).toBe('/t');
    expect(load([]).keplerScheme).toBe('http');
  });
});

describe('usage for right-sizing', () => {
  test('auto reads usage from Prometheus whenever one is configured, also with --source=kepler', () => {
    const withProm = load(['--prometheus-url', 'https://prom:9090']);
    expect(withProm.source).toBe('kepler');
    expect(usageFrom(withProm)).toBe('prometheus');
    expect(usageFrom(load([]))).toBe('metrics-api');
    expect(usageFrom(load(['--usage-source', 'none', '--prometheus-url', 'https://prom:9090']))).toBe('none');
    expect(load([])).toMatchObject({ usageSource: 'auto', usageSampleInterval: 60, usageRateWindow: '5m' });
    expect(
      loadOperatorConfig([], { USAGE_SOURCE: 'metrics-api', USAGE_SAMPLE_INTERVAL_SECONDS: '30' }),
    ).toMatchObject({ usageSource: 'metrics-api', usageSampleInterval: 30 });
  });

  test('bad values are refused, naming the flag', () => {
    expect(() => load(['--usage-source', 'prometheus'])).toThrow(
      /--usage-source \(env USAGE_SOURCE\): --prometheus-url is required with --usage-source=prometheus/,
    );
    expect(() => load(['--usage-source', 'kubelet'])).toThrow(/--usage-source \(env USAGE_SOURCE\)/);
    expect(() => load(['--usage-rate-window', 'five minutes'])).toThrow(
      /--usage-rate-window \(env USAGE_RATE_WINDOW\): a Prometheus duration such as 5m/,
    );
    expect(() => load(['--usage-sample-interval', '0'])).toThrow(/--usage-sample-interval/);
  });

  test('a Prometheus token used for usage only is still never sent over plain http', () => {
    expect(() => load(['--prometheus-url', 'http://prom:9090', '--prometheus-token-file', '/t'])).toThrow(
      /--prometheus-token-file \(env PROMETHEUS_TOKEN_FILE\): a bearer token would be sent over plain http/,
    );
    expect(
      load([
        '--prometheus-url',
        'http://prom:9090',
        '--prometheus-token-file',
        '/t',
        '--usage-source',
        'none',
      ]).prometheusTokenFile,
    ).toBe('/t');
  });
});

describe('--actions (CronJob schedule actions)', () => {
  test('off unless the flag or ACTIONS_ENABLED turns it on; anything but true/false is refused, naming the flag', () => {
    expect(loadOperatorConfig([], {}).actions).toBe(false);
    expect(loadOperatorConfig(['--actions', 'true'], {}).actions).toBe(true);
    expect(loadOperatorConfig([], { ACTIONS_ENABLED: 'true' }).actions).toBe(true);
    expect(() => loadOperatorConfig(['--actions', 'yes'], {})).toThrow(/--actions \(env ACTIONS_ENABLED\)/);
  });
});

describe('--estimate-unmeasured-power', () => {
  test('off by default; on by flag or env; anything but true/false is refused naming the flag', () => {
    expect(load([]).estimateUnmeasuredPower).toBe(false);
    expect(load(['--estimate-unmeasured-power', 'true']).estimateUnmeasuredPower).toBe(true);
    expect(loadOperatorConfig([], { ESTIMATE_UNMEASURED_POWER: 'true' }).estimateUnmeasuredPower).toBe(true);
    expect(() => load(['--estimate-unmeasured-power', 'yes'])).toThrow(/--estimate-unmeasured-power/);
  });
});
