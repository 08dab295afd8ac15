// The standards file reloaded the way a ConfigMap volume changes: the mounted name is a symlink
// through `..data`, and an update renames a new `..data` symlink over the old one.
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { dataFilePath } from '../reference-data/data-files.js';
import type { StandardsCatalogue } from '../reference-data/standards-catalogue.js';
import { ReloadingCatalogue, type CatalogueReloadError } from './standards-reload.js';

const shipped = readFileSync(dataFilePath('standards.yaml'), 'utf8');

/** A ConfigMap-style mount: dir/standards.yaml → ..data/standards.yaml, ..data → ..<version>. */
class ConfigMapMount {
  readonly dir = mkdtempSync(join(tmpdir(), 'standards-mount-'));
  private version = 0;
  readonly path = join(this.dir, 'standards.yaml');

  constructor(text: string) {
    this.write(text);
    symlinkSync('..data/standards.yaml', this.path);
  }

  /** What the kubelet does: a new versioned directory, then an atomic rename of ..data. */
  write(text: string): void {
    this.version += 1;
    const versioned = `..2026_12_01_${this.version}`;
    mkdirSync(join(this.dir, versioned));
    writeFileSync(join(this.dir, versioned, 'standards.yaml'), text);
    symlinkSync(versioned, join(this.dir, '..data_tmp'));
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const withTarget = (text: string, target: number) =>
  text.replace(
    /(code: KR_CARBON_2050[\s\S]*?carbonTarget_gCO2eq_kWh:\s*\n\s*value:\s*)\d+(\.\d+)?/,
    `$1${target}`,
  );

function target(catalogue: StandardsCatalogue): number | undefined {
  return catalogue.get('KR_CARBON_2050')?.carbonTarget_gCO2eq_kWh?.value;
}

describe('standards catalogue reload', () => {
  let mount: ConfigMapMount;
  let watched: ReloadingCatalogue | undefined;
  afterEach(() => {
    watched?.stop();
    watched = undefined;
    mount.remove();
  });

  it('the edit under test changes the target (guards the fixture)', () => {
    mount = new ConfigMapMount(shipped);
    expect(withTarget(shipped, 300)).not.toBe(shipped);
  });

  it('picks up a symlink-swapped edit from the watch, without a poll', async () => {
    mount = new ConfigMapMount(shipped);
    const changes: Array<{ catalogue: StandardsCatalogue; error: CatalogueReloadError | null }> = [];
    let notify: () => void = () => undefined;
    watched = new ReloadingCatalogue({
      path: mount.path,
      logger: pino({ level: 'silent' }),
      poll_ms: 0,
      debounce_ms: 20,
      onChange: (change) => {
        changes.push(change);
        notify();
      },
    });
    const before = target(watched.catalogue);
    expect(before).toBeDefined();
    watched.start();
    const changed = new Promise<void>((resolve) => (notify = resolve));
    mount.write(withTarget(shipped, 300));
    await changed;
    expect(changes).toHaveLength(1);
    expect(changes[0]!.error).toBeNull();
    expect(target(watched.catalogue)).toBe(300);
  });

  it('keeps the last good catalogue on a bad edit and names the YAML line or the field', () => {
    mount = new ConfigMapMount(withTarget(shipped, 300));
    watched = new ReloadingCatalogue({ path: mount.path, logger: pino({ level: 'silent' }), poll_ms: 0 });
    mount.write('standards:\n  - code: BROKEN\n    name: [unclosed\n');
    expect(watched.reload()).toBe(true);
    expect(watched.error?.reason).toBe('InvalidCatalogue');
    expect(watched.error?.message).toMatch(/not valid YAML: .*at line \d+, column \d+/);
    expect(watched.error?.message).toMatch(/the last good catalogue stays in use/);
    expect(target(watched.catalogue)).toBe(300);

    mount.write(shipped.replace(/maxPue:\s*\n(\s*)value:\s*[\d.]+/, 'maxPue:\n$1value: "high"'));
    expect(watched.reload()).toBe(true);
    expect(watched.error?.message).toMatch(/standards\.\d+\.maxPue\.value: /);
    expect(target(watched.catalogue)).toBe(300);

    // Fixed: the new file is in force and the error is gone.
    mount.write(withTarget(shipped, 350));
    expect(watched.reload()).toBe(true);
    expect(watched.error).toBeNull();
    expect(target(watched.catalogue)).toBe(350);
    // The same content again is no change.
    expect(watched.reload()).toBe(false);
  });

  it('refuses to start on a bad file', () => {
    mount = new ConfigMapMount('standards: 3\n');
    expect(() => new ReloadingCatalogue({ path: mount.path, logger: pino({ level: 'silent' }) })).toThrow(
      /standards/,
    );
  });
});
