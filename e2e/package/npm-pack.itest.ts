// `npm pack` as a new user runs it: in a fresh clone of the committed tree (node_modules linked from
// this checkout, since the clone has no network), the prepack build runs, and the tarball holds the
// three bins, the data files, the CRD, LICENSE and the package metadata, and no demo or test code.
// Each bin from the unpacked tarball answers --version; carbon-operator --help exits 0 with usage.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repo = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
};

interface PackResult {
  filename: string;
  files: Array<{ path: string; mode: number }>;
}

describe('npm pack from a fresh clone', () => {
  let tmp: string;
  let packed: PackResult;
  let unpacked: string;

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'carbon-npm-pack-'));
    const clone = join(tmp, 'clone');
    execFileSync('git', ['clone', '--quiet', '--no-hardlinks', repo, clone]);
    symlinkSync(join(repo, 'node_modules'), join(clone, 'node_modules'), 'dir');
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', tmp], {
      cwd: clone,
      encoding: 'utf8',
      env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false' },
    });
    packed = (JSON.parse(out.slice(out.indexOf('['))) as PackResult[])[0]!;
    unpacked = join(tmp, 'unpacked');
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', join(tmp, packed.filename), '-C', unpacked]);
    // The package's dependencies, as `npm install` would put them beside it.
    symlinkSync(join(repo, 'node_modules'), join(unpacked, 'package', 'node_modules'), 'dir');
  }, 600_000);
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  test('the prepack build puts the bins, data, CRD, LICENSE and README in the tarball', () => {
    const paths = packed.files.map((f) => f.path);
    for (const bin of Object.values(manifest.bin)) {
      expect(paths).toContain(bin);
      const mode = statSync(join(unpacked, 'package', bin)).mode;
      expect(mode & 0o111).not.toBe(0);
      expect(readFileSync(join(unpacked, 'package', bin), 'utf8').startsWith('#!/usr/bin/env node')).toBe(
        true,
      );
    }
    for (const file of [
      'LICENSE',
      'README.md',
      'package.json',
      'crds/carbon-aware.dev_carboncompliancepolicies.yaml',
      'dist/operator/data/standards.yaml',
      'dist/operator/data/grid-factors.json',
    ]) {
      expect(paths).toContain(file);
    }
    expect(readFileSync(join(unpacked, 'package', 'LICENSE'), 'utf8')).toContain('Apache License');
  });

  test('no demo, test, fixture or test-support code and no TypeScript sources are shipped', () => {
    const unwanted = packed.files
      .map((f) => f.path)
      .filter((p) =>
        /(^|\/)(hack|e2e|bench|__fixtures__|testdata|test-support)\/|\.i?test\.|fixture-exporter|(?<!\.d)\.ts$|\.map$/.test(
          p,
        ),
      );
    expect(unwanted).toEqual([]);
  });

  test('package.json names the licence, repository and homepage', () => {
    const shipped = JSON.parse(readFileSync(join(unpacked, 'package', 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(shipped.license).toBe('Apache-2.0');
    expect(shipped.repository).toMatchObject({ type: 'git', url: expect.stringMatching(/^git\+https:\/\//) });
    expect(shipped.homepage).toMatch(/^https:\/\//);
  });

  test('every bin from the unpacked tarball answers --version; carbon-operator --help exits 0 with usage', () => {
    for (const [name, bin] of Object.entries(manifest.bin)) {
      const result = spawnSync(process.execPath, [join(unpacked, 'package', bin), '--version'], {
        encoding: 'utf8',
        env: { ...process.env, KUBECONFIG: '' },
      });
      expect({ name, status: result.status, stdout: result.stdout }).toEqual({
        name,
        status: 0,
        stdout: `${name} ${manifest.version}\n`,
      });
    }
    const help = spawnSync(
      process.execPath,
      [join(unpacked, 'package', manifest.bin['carbon-operator']!), '--help'],
      {
        encoding: 'utf8',
      },
    );
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: carbon-operator');
    expect(help.stdout).toContain('--kepler-namespace');
  });
});
