// `npm run build` step: tsc compiles TypeScript only; the data files the loaders read at run time
// (JSON, YAML, CSV under operator/data) are copied beside the compiled modules.
import { cpSync, existsSync } from 'node:fs';

for (const dir of ['operator/data']) {
  if (existsSync(dir)) cpSync(dir, `dist/${dir}`, { recursive: true });
}
