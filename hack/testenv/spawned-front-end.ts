// Starts the real carbon-mcp entry point (through tsx) as a child process for integration tests,
// and reads the port it bound from its JSON log on stderr.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';

export const frontEndCommand = { command: process.execPath, args: ['--import', 'tsx', 'mcp/main.ts'] };

export interface SpawnedFrontEnd {
  port: number;
  url: string;
  child: ChildProcess;
  stderr: () => string;
  stop: () => Promise<void>;
}

export async function spawnFrontEnd(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeout_ms = 60_000,
  command: { command: string; args: string[] } = frontEndCommand,
): Promise<SpawnedFrontEnd> {
  const child = spawn(command.command, [...command.args, '--http', '--port', '0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (log += chunk));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`carbon-mcp did not start in ${timeout_ms} ms:\n${log}`)),
      timeout_ms,
    );
    const onData = () => {
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        child.stderr!.off('data', onData);
        resolve(Number(match[1]));
      }
    };
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`carbon-mcp exited with ${code}:\n${log}`));
    });
  });
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    child,
    stderr: () => log,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** Runs carbon-mcp expecting it to exit (e.g. a refused configuration); returns code and stderr. */
export async function runFrontEndToExit(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(frontEndCommand.command, [...frontEndCommand.args, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => (stderr += c));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}
