// The package's version, read from the package.json that ships with the code (the nearest one
// above this module, in the source tree and in dist/ alike), for every bin's --version and the MCP
// server's handshake.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageJson(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

const manifest = JSON.parse(readFileSync(findPackageJson(), 'utf8')) as { version: string };

export const PACKAGE_VERSION = manifest.version;
