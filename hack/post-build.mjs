// `npm run build` step after tsc: copy the data files the loaders read at run time (JSON, YAML,
// CSV under operator/data; kwok's stages for the demo's control plane) beside the compiled modules,
// and make the package's bins executable.
import { chmodSync, cpSync, existsSync, readFileSync } from 'node:fs';

for (const dir of ['operator/data']) {
  if (existsSync(dir)) cpSync(dir, `dist/${dir}`, { recursive: true });
}
for (const file of ['hack/testenv/kwok-stages.yaml']) {
  if (existsSync(file)) cpSync(file, `dist/${file}`);
}
const { bin } = JSON.parse(readFileSync('package.json', 'utf8'));
for (const file of Object.values(bin ?? {})) {
  if (existsSync(file)) chmodSync(file, 0o755);
}
