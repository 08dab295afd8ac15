// Reads the standards catalogue: the shipped operator/data/standards.yaml, or the file the operator is
// pointed at (the chart's ConfigMap mount). Reading lives here, parsing in standards-catalogue.ts (pure).
import { readFileSync } from 'node:fs';

import { DataFileError } from './data-file-error.js';
import { dataFilePath } from './data-files.js';
import {
  parseStandardsCatalogue,
  SHIPPED_STANDARDS,
  type StandardsCatalogue,
} from './standards-catalogue.js';

interface LoadStandardsOptions {
  /** Base catalogue file (the ConfigMap mount); the shipped operator/data/standards.yaml by default. */
  path?: string;
  /** User additions in the same format; their entries become 'user-defined' and replace same-code entries. */
  extraYamlText?: string;
}

export function loadStandardsCatalogue(options: LoadStandardsOptions = {}): StandardsCatalogue {
  const basePath = options.path ?? dataFilePath('standards.yaml');
  const baseName = options.path ?? SHIPPED_STANDARDS;
  let baseText: string;
  try {
    baseText = readFileSync(basePath, 'utf8');
  } catch (err) {
    throw new DataFileError(baseName, '', `cannot read: ${(err as Error).message}`);
  }
  return parseStandardsCatalogue(baseName, baseText, options.extraYamlText);
}
