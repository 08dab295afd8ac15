// The carbon-kepler CLI run in-process, its output captured, its clock pinned to `atIso`.
import { run } from '../../operator/cli/carbon-kepler.js';

export function cliAt(atIso: string) {
  return async (...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    let stdout = '';
    let stderr = '';
    const code = await run(argv, {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      now: () => Date.parse(atIso),
    });
    return { code, stdout, stderr };
  };
}
