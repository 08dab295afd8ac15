import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanStaleRuns, freeLoopbackPort, locateBinaries } from './control-plane.js';

describe('control-plane helpers', () => {
  it('finds a free port, and another one when the first is taken', async () => {
    const first = await freeLoopbackPort();
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(first, '127.0.0.1', resolve));
    const second = await freeLoopbackPort();
    expect(second).not.toBe(first);
    await new Promise((resolve) => holder.close(resolve));
  });

  it('says what to install or set when the binaries are missing', () => {
    expect(() => locateBinaries({ KUBEBUILDER_ASSETS: '/nonexistent-assets' })).toThrow(/KUBEBUILDER_ASSETS/);
  });

  it('stops processes of a run whose owner died and removes its directory', async () => {
    const base = mkdtempSync(join(tmpdir(), 'stale-test-'));
    const runDir = join(base, 'carbon-kepler-testenv-stale');
    mkdirSync(runDir);
    // A process whose command line names the run dir, as our etcd/apiserver children do. Until it has
    // exec'd, its command line is still the test runner's (a busy machine makes that window long); the
    // real etcd/apiserver children are long past it. A sleeper that ends before that (seen once in CI
    // with an empty command line, cause unknown) is replaced, and its end is reported if it recurs.
    const cmdlineOf = (pid: number | undefined) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        return '';
      }
    };
    const ended: string[] = [];
    let sleeper = spawn('sleep', ['300'], { argv0: `${runDir}/etcd`, stdio: 'ignore' });
    for (let attempt = 1; ; attempt++) {
      const current = sleeper;
      let gone = false;
      current.once('exit', (code, signal) => {
        gone = true;
        ended.push(`attempt ${attempt}: exit ${code ?? signal}`);
      });
      for (
        let waited = 0;
        !gone && !cmdlineOf(current.pid).includes(runDir) && waited < 30_000;
        waited += 20
      ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      if (!gone || attempt === 3) break;
      sleeper = spawn('sleep', ['300'], { argv0: `${runDir}/etcd`, stdio: 'ignore' });
    }
    writeFileSync(join(runDir, 'owner.pid'), '999999');
    writeFileSync(join(runDir, 'children.pids'), `${sleeper.pid}\n`);
    const exited = new Promise((resolve) => sleeper.once('exit', resolve));
    expect({ cmdline: cmdlineOf(sleeper.pid).includes(runDir), ended }).toEqual({
      cmdline: true,
      ended: expect.any(Array),
    });
    expect(cleanStaleRuns(base)).toBe(1);
    // Fail with a reason, not a hung test, if the stale process was left running.
    const left = setTimeout(() => sleeper.kill('SIGTERM'), 10_000); // SIGTERM: tells our fallback apart
    const signal = await exited.then(() => sleeper.signalCode);
    clearTimeout(left);
    expect(signal).toBe('SIGKILL');
    expect(existsSync(runDir)).toBe(false);
    rmSync(base, { recursive: true, force: true });
  });

  it('control-plane-binaries.sh explains what to install when Go is missing', () => {
    const cache = mkdtempSync(join(tmpdir(), 'cp-cache-'));
    const result = spawnSync('bash', ['hack/control-plane-binaries.sh'], {
      env: { PATH: '/usr/bin:/bin', HOME: cache, CARBON_KEPLER_CACHE: cache },
      encoding: 'utf8',
    });
    rmSync(cache, { recursive: true, force: true });
    if (spawnSync('bash', ['-c', 'PATH=/usr/bin:/bin command -v go']).status === 0) {
      // Go lives in /usr/bin on this machine: the message path cannot be reached this way.
      return;
    }
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Install Go >= 1\.26/);
    expect(result.stderr).toMatch(/KUBEBUILDER_ASSETS/);
  });
});
