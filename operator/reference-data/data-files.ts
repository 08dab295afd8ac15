// Where the data files live at run time: operator/data beside operator/reference-data in the source
// tree, and dist/operator/data beside dist/operator/reference-data after `npm run build`
// (hack/post-build.mjs).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function dataFilePath(name: string): string {
  return fileURLToPath(new URL(`../data/${name}`, import.meta.url));
}

export function readDataFile(name: string): string {
  return readFileSync(dataFilePath(name), 'utf8');
}
