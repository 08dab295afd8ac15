// A built entry point (dist/…) run as a real child process, with its output kept for failure messages.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export class SpawnedNodeProcess {
  readonly child: ChildProcess;
  private output = '';
  private partialLine = '';
  private readonly lineCounters: Array<{ test: (line: string) => boolean; count: number }> = [];

  constructor(
    readonly name: string,
    entry: string,
    args: string[],
    env: NodeJS.ProcessEnv,
  ) {
    const path = join(process.cwd(), entry);
    if (!existsSync(path))
      throw new Error(`${entry} is missing: run \`npm run build\` first (make integration does)`);
    this.child = spawn(process.execPath, [path, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      // Keep the tail only: a process under a 50 MB-body test may log a lot.
      const text = chunk.toString();
      this.output = (this.output + text).slice(-200_000);
      // Whole lines, for the counters (which see every line, not only the kept tail).
      const lines = (this.partialLine + text).split('\n');
      this.partialLine = lines.pop() ?? '';
      for (const line of lines) {
        for (const counter of this.lineCounters) if (counter.test(line)) counter.count += 1;
      }
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
  }

  get pid(): number {
    if (!this.child.pid) throw new Error(`${this.name} has no pid`);
    return this.child.pid;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * Counts the output lines that pass `test` from now on, however much the process logs (logs()
   * keeps only the tail).
   */
  countLines(test: (line: string) => boolean): { readonly count: number } {
    const counter = { test, count: 0 };
    this.lineCounters.push(counter);
    return counter;
  }

  logs(lines = 40): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  /** Waits until `url` answers 200, failing early (with the logs) if the process exits. */
  async waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.alive) throw new Error(`${this.name} exited (code ${this.child.exitCode}):\n${this.logs()}`);
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${this.name} did not answer 200 on ${url} within ${timeoutMs} ms:\n${this.logs()}`);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<number | null> {
    if (!this.alive) return this.child.exitCode;
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }
}
