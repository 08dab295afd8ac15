// e2e/run.sh must never fail a machine without Docker: it says it skipped and exits 0. (Where Docker
// exists the script runs the real kind e2e, which is not part of the test suite.)
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

describe('e2e/run.sh', () => {
  it('skips with a clear message and exit code 0 when no Docker is installed', () => {
    const result = spawnSync('/bin/bash', [join(process.cwd(), 'e2e', 'run.sh')], {
      env: { PATH: '/nonexistent', HOME: process.env.HOME ?? '/' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('e2e: skipped: no Docker engine');
  });

  it('parses as bash', () => {
    const result = spawnSync('/bin/bash', ['-n', join(process.cwd(), 'e2e', 'run.sh')], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
