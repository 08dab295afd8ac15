// `npm run build` step after tsc: copy the data files the loaders read at run time (JSON, YAML,
// CSV under operator/data; kwok's stages for the demo's control plane) beside the compiled modules,
// and make the package's bins executable.
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

for (const dir of ['operator/data']) {
  if (existsSync(dir)) cpSync(dir, `dist/${dir}`, { recursive: true });
}
// The demo and the test harness are built into dist-dev/ (tsconfig.dev-tools.json), never into dist/.
for (const file of ['hack/testenv/kwok-stages.yaml']) {
  if (!existsSync(file)) continue;
  mkdirSync(dirname(`dist-dev/${file}`), { recursive: true });
  cpSync(file, `dist-dev/${file}`);
}
const { bin } = JSON.parse(readFileSync('package.json', 'utf8'));
for (const file of Object.values(bin ?? {})) {
  if (existsSync(file)) chmodSync(file, 0o755);
}
