/**
 * The architecture's one rule of dependency: the protocol depends on nothing, the client
 * core only on the protocol, and every package reaches another only through its public
 * entry (`@ferry/<name>`), never through a relative path or a deep import. Ferry's own
 * store and runtime adapters may also use `@ferry/client/internal`, which apps should not.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;

const ALLOWED: Record<string, readonly string[]> = {
  protocol: [],
  client: ['@ferry/protocol'],
  server: ['@ferry/protocol'],
  testing: ['@ferry/protocol', '@ferry/client', '@ferry/client/internal'],
  sqlite: ['@ferry/protocol', '@ferry/client', '@ferry/client/internal'],
  node: ['@ferry/protocol', '@ferry/client', '@ferry/client/internal', '@ferry/sqlite'],
  browser: ['@ferry/protocol', '@ferry/client', '@ferry/client/internal'],
  'react-native': ['@ferry/protocol', '@ferry/client', '@ferry/client/internal', '@ferry/sqlite'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The module specifiers a file imports; comments (which may show an import) are left out. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '');
  return [
    ...text.matchAll(
      /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
    ),
  ].map((m) => (m[1] ?? m[2])!);
}

describe('dependency direction', () => {
  for (const [pkg, allowed] of Object.entries(ALLOWED)) {
    it(`${pkg}/src imports only ${allowed.length ? allowed.join(', ') : 'no other Ferry package'}`, () => {
      const offences: string[] = [];
      for (const file of sourceFiles(join(ROOT, 'packages', pkg, 'src'))) {
        for (const specifier of imports(file)) {
          const where = relative(ROOT, file);
          if (specifier.startsWith('@ferry/') && !allowed.includes(specifier))
            offences.push(`${where} → ${specifier}`);
          if (
            specifier.startsWith('.') &&
            relative(join(ROOT, 'packages', pkg), join(file, '..', specifier)).startsWith('..')
          ) {
            offences.push(`${where} → ${specifier} (leaves its package)`);
          }
        }
      }
      expect(offences).toEqual([]);
    });
  }

  it('finds the imports it checks', () => {
    expect(imports(join(ROOT, 'packages/server/src/auth/jwt.ts'))).toContain('@ferry/protocol');
  });
});
