// One naming style for structured log fields: lowerCamelCase keys (retryInMs, previousHolder),
// units as a suffix of the key. This reads every pino call in the product code (operator/, mcp/)
// whose first argument is an object literal and lists keys in any other style.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const LOG_CALL = /\b(?:logger|log)\??\.(?:trace|debug|info|warn|error|fatal)\(\s*\{/g;
const CAMEL = /^[a-z][a-zA-Z0-9]*$/;

function productFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : productFiles(path);
    return /\.ts$/.test(name) && !/\.(i?test|d)\.ts$/.test(name) ? [path] : [];
  });
}

/** The top-level keys of the object literal starting at `open` (the index of its `{`). */
function topLevelKeys(text: string, open: number): string[] {
  let depth = 0;
  let end = open;
  for (let i = open; i < text.length; i += 1) {
    if ('{[('.includes(text[i]!)) depth += 1;
    if ('}])'.includes(text[i]!)) depth -= 1;
    if (depth === 0) {
      end = i;
      break;
    }
  }
  const body = text.slice(open + 1, end);
  const keys: string[] = [];
  let level = 0;
  let token = '';
  for (const ch of body) {
    if ('{[('.includes(ch)) level += 1;
    if ('}])'.includes(ch)) level -= 1;
    if (level === 0 && (ch === ',' || ch === ':')) {
      if (ch === ':' || /^\s*\.\.\./.test(token) === false) {
        const key = token.trim();
        if (key && !key.startsWith('...') && /^[\w$]+$/.test(key)) keys.push(key);
      }
      token = ch === ':' ? '\u0000' : '';
      continue;
    }
    if (level === 0 && token === '\u0000') continue; // inside a value until the next comma
    if (level === 0) token += ch;
  }
  const last = token.trim();
  if (last && last !== '\u0000' && /^[\w$]+$/.test(last)) keys.push(last);
  return keys;
}

describe('structured log fields', () => {
  test('every key of a pino call in operator/ and mcp/ is lowerCamelCase', () => {
    const offenders: string[] = [];
    let calls = 0;
    for (const file of [...productFiles(join(root, 'operator')), ...productFiles(join(root, 'mcp'))]) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(LOG_CALL)) {
        calls += 1;
        const open = match.index! + match[0].length - 1;
        for (const key of topLevelKeys(text, open))
          if (!CAMEL.test(key)) offenders.push(`${relative(root, file)}: ${key}`);
      }
    }
    expect(calls).toBeGreaterThan(20);
    expect(offenders).toEqual([]);
  });

  test('the key reader finds shorthand and explicit keys, and skips nested objects and spreads', () => {
    const text = 'log.warn({ key, err: f({ inner_key: 1 }), retry_in_ms: 5, ...rest }, "x")';
    expect(topLevelKeys(text, text.indexOf('{'))).toEqual(['key', 'err', 'retry_in_ms']);
  });
});
