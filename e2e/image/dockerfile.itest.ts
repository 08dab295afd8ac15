// No Docker engine runs where these tests run, so the image is not built here (e2e/run.sh builds it where
// Docker exists). What can be checked without building is checked: the Dockerfile parsed by a real
// parser, its stages, user and entrypoint, and that it agrees with package.json, tsconfig.build.json,
// .dockerignore and the Helm chart.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Copy, DockerfileParser, type Instruction } from 'dockerfile-ast';
import { parse as parseYaml } from 'yaml';

const root = process.cwd();
const dockerfile = DockerfileParser.parse(readFileSync(join(root, 'Dockerfile'), 'utf8'));
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
  files: string[];
};

/** Instructions grouped by stage name (FROM … AS <name>). */
function stages(): Map<string, Instruction[]> {
  const out = new Map<string, Instruction[]>();
  let current: Instruction[] | undefined;
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const name = dockerfile
        .getFROMs()
        .find((f) => f.getRange().start.line === instruction.getRange().start.line)!;
      current = [];
      out.set(name.getBuildStage() ?? `stage${out.size}`, current);
    }
    current?.push(instruction);
  }
  return out;
}

const args = (i: Instruction) => i.getArgumentsContent() ?? '';
const only = (list: Instruction[], keyword: string) => list.filter((i) => i.getKeyword() === keyword);

describe('Dockerfile', () => {
  const byStage = stages();
  const build = byStage.get('build')!;
  const runtime = byStage.get('runtime')!;

  it('has a build stage and a runtime stage, both on a supported Node LTS (24), runtime last', () => {
    expect([...byStage.keys()]).toEqual(['build', 'runtime']);
    const arg = dockerfile.getARGs().find((a) => a.getProperty()?.getName() === 'NODE_IMAGE');
    // Node 20 reached end of life on 2026-04-30; 22 and 24 are the LTS lines with security support.
    expect(arg?.getProperty()?.getValue()).toBe('node:24-bookworm-slim');
    expect(dockerfile.getFROMs().map((f) => f.getImage())).toEqual(['${NODE_IMAGE}', '${NODE_IMAGE}']);
  });

  it('installs with npm ci, builds, then prunes dev dependencies in the build stage', () => {
    const runs = only(build, 'RUN').map(args).join(' && ');
    const order = ['npm ci', 'npm run build', 'npm prune --omit=dev'].map((step) => runs.indexOf(step));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('runs no dependency install script (an install-time telemetry reporter among them)', () => {
    const installs = [...build, ...runtime]
      .filter((i) => i.getKeyword() === 'RUN')
      .map(args)
      .flatMap((run) => run.match(/\bnpm (?:ci|install|i)\b[^&;|]*/g) ?? []);
    expect(installs.length).toBeGreaterThan(0);
    for (const install of installs) expect(install).toContain('--ignore-scripts');
  });

  it('compiles no test, test-support, fixture or demo code into dist/', () => {
    const inputs = execFileSync(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--listFilesOnly'],
      { cwd: root, encoding: 'utf8' },
    )
      .split('\n')
      .map((f) => f.trim())
      .filter((f) => f.startsWith(root) && !f.includes('/node_modules/'))
      .map((f) => f.slice(root.length + 1));
    expect(inputs).toEqual(expect.arrayContaining(['operator/main.ts', 'mcp/main.ts']));
    const notShipped = inputs.filter((f) =>
      /(^|\/)(testdata|test-support|__fixtures__|hack|e2e|bench)\/|\.i?test\.ts$|fixture/.test(f),
    );
    expect(notShipped).toEqual([]);
    // The build stage gets the one hack/ file the build runs, not the demo or the test harness.
    const copied = only(build, 'COPY').map((c) => args(c).split(/\s+/)[0]);
    expect(copied.filter((c) => c!.startsWith('hack'))).toEqual(['hack/post-build.mjs']);
  });

  it('copies every source tree tsconfig.build.json compiles into the build stage', () => {
    const tsconfig = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')) as {
      include: string[];
    };
    const copied = only(build, 'COPY').flatMap((c) => args(c).split(/\s+/).slice(0, -1));
    for (const dir of tsconfig.include) {
      expect({ dir, copied: copied.some((c) => dir === c || dir.startsWith(`${c}/`)) }).toEqual({
        dir,
        copied: true,
      });
    }
    expect(copied).toEqual(
      expect.arrayContaining(['package.json', 'package-lock.json', 'tsconfig.build.json']),
    );
  });

  it('runs as uid 65532 with nothing executed as root after the user switch', () => {
    const keywords = runtime.map((i) => i.getKeyword());
    const userAt = keywords.lastIndexOf('USER');
    expect(args(runtime[userAt]!)).toBe('65532:65532');
    expect(keywords.slice(userAt).filter((k) => k === 'RUN')).toEqual([]);
    expect(only(build, 'USER')).toEqual([]); // the final USER is the only one that matters at run time
  });

  it('writes nothing outside /tmp at run time: HOME and TMPDIR point there, no VOLUME', () => {
    const env = only(runtime, 'ENV').map(args).join(' ');
    expect(env).toMatch(/\bHOME=\/tmp\b/);
    expect(env).toMatch(/\bTMPDIR=\/tmp\b/);
    expect(env).toMatch(/\bNODE_ENV=production\b/);
    expect(only(runtime, 'VOLUME')).toEqual([]);
  });

  it('copies the built programs and every package.json "files" entry from the build stage', () => {
    const copies = only(runtime, 'COPY');
    for (const copy of copies) {
      if (!(copy instanceof Copy)) throw new Error(`not a COPY instruction: ${args(copy)}`);
      expect(copy.getFlags().map((f) => `${f.getName()}=${f.getValue()}`)).toContain('from=build');
    }
    const sources = copies.map((c) => args(c).split(/\s+/)[0]);
    // "!dist/hack"-style entries exclude files from the package; they name nothing to copy.
    const included = packageJson.files.filter((entry: string) => !entry.startsWith('!'));
    for (const entry of [...included, 'node_modules', 'package.json'])
      expect(sources).toContain(`/src/${entry}`);
  });

  it('has a launcher for every package.json bin and carbon-operator as the exec-form entrypoint', () => {
    const runs = only(runtime, 'RUN').map(args).join('\n');
    const dir = mkdtempSync(join(tmpdir(), 'carbon-launchers-'));
    for (const [name, path] of Object.entries(packageJson.bin)) {
      const m = new RegExp(`printf '([^']*)' > /usr/local/bin/${name}\\b`).exec(runs);
      if (!m) throw new Error(`no launcher /usr/local/bin/${name} in the runtime stage`);
      // printf the launcher as the image build would, then check it is valid sh that execs the bin's file.
      const script = execFileSync('sh', ['-c', `printf '${m[1]}'`], { encoding: 'utf8' });
      expect(script).toBe(`#!/bin/sh\nexec node /app/${path} "$@"\n`);
      writeFileSync(join(dir, name), script);
      execFileSync('sh', ['-n', join(dir, name)]);
      expect(runs).toMatch(new RegExp(`chmod 0555 [^\\n]*/usr/local/bin/${name}\\b`));
    }
    const entrypoint = only(runtime, 'ENTRYPOINT');
    expect(entrypoint).toHaveLength(1);
    expect(JSON.parse(args(entrypoint[0]!))).toEqual(['carbon-operator']);
  });

  it('keeps the build inputs out of .dockerignore and local state in it', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));
    for (const needed of [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'operator',
      'mcp',
      'hack',
      'crds',
    ])
      expect(ignored).not.toContain(needed);
    for (const excluded of ['.git', '**/node_modules', 'dist', '.testenv'])
      expect(ignored).toContain(excluded);
  });

  it('matches the Helm chart: image tag, commands and the non-root uid', () => {
    const chartDir = join(root, 'charts', 'carbon-aware-kepler');
    const chart = parseYaml(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { appVersion: string };
    const values = parseYaml(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as {
      image: { repository: string };
      podSecurityContext: { runAsUser: number };
      containerSecurityContext: { runAsUser: number };
    };
    expect(chart.appVersion).toBe(packageJson.version);
    expect(values.image.repository).toBe('carbon-aware-kepler');
    expect(values.podSecurityContext.runAsUser).toBe(65532);
    expect(values.containerSecurityContext.runAsUser).toBe(65532);
    const templates = ['operator-deployment.yaml', 'mcp-deployment.yaml'].map((f) =>
      readFileSync(join(chartDir, 'templates', f), 'utf8'),
    );
    expect(templates[0]).toContain("command: ['carbon-operator']");
    expect(templates[1]).toContain("command: ['carbon-mcp']");
    for (const name of ['carbon-operator', 'carbon-mcp'])
      expect(Object.keys(packageJson.bin)).toContain(name);
  });
});
