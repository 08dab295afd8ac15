// The demo's child processes: each logs to its own file, and all of them are stopped together
// (SIGTERM, then SIGKILL after a grace period) when the demo ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StartedChild {
  name: string;
  process: ChildProcess;
  logPath: string;
}

export class ChildProcessGroup {
  private readonly children: StartedChild[] = [];

  constructor(private readonly logDir: string) {}

  start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): StartedChild {
    const logPath = join(this.logDir, `${name}.log`);
    const fd = openSync(logPath, 'a');
    const child = spawn(command, args, {
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...env },
    });
    closeSync(fd);
    const started = { name, process: child, logPath };
    this.children.push(started);
    return started;
  }

  pids(): number[] {
    return this.children.map((c) => c.process.pid).filter((pid): pid is number => typeof pid === 'number');
  }

  /** The first child that has exited, if any (the demo stops when one of its parts dies). */
  exited(): StartedChild | undefined {
    return this.children.find((c) => c.process.exitCode !== null || c.process.signalCode !== null);
  }

  logTail(name: string, lines = 20): string {
    const child = this.children.find((c) => c.name === name);
    if (!child) return '';
    try {
      return readFileSync(child.logPath, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  async stopAll(graceMs = 5000): Promise<void> {
    await Promise.all(this.children.map((c) => stopChild(c.process, graceMs)));
  }

  /** Synchronous last resort for an 'exit' handler. */
  killAll(): void {
    for (const { process: child } of this.children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
