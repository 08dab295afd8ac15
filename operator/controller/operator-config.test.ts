// Configuration checks that keep a credential safe: a bearer token is never sent over plain http
// to Kepler or Prometheus unless the admin says so explicitly.
import { loadOperatorConfig } from './operator-config.js';

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

describe('--estimate-unmeasured-power', () => {
  test('off by default; on by flag or env; anything but true/false is refused naming the flag', () => {
    expect(load([]).estimateUnmeasuredPower).toBe(false);
    expect(load(['--estimate-unmeasured-power', 'true']).estimateUnmeasuredPower).toBe(true);
    expect(loadOperatorConfig([], { ESTIMATE_UNMEASURED_POWER: 'true' }).estimateUnmeasuredPower).toBe(true);
    expect(() => load(['--estimate-unmeasured-power', 'yes'])).toThrow(/--estimate-unmeasured-power/);
  });
});
