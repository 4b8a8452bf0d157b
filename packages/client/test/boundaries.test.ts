/**
 * Structural rules the compiler cannot check: the engine depends on nothing but the
 * protocol package, reads platform globals only as option defaults, and the testing
 * package uses only the client's public entry.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** Every .ts file under a directory, with its path relative to that directory. */
function sources(relativeDir: string): Array<{ file: string; text: string }> {
  const root = fileURLToPath(new URL(relativeDir, import.meta.url));
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? walk(join(dir, entry.name))
        : entry.name.endsWith('.ts')
          ? [join(dir, entry.name)]
          : [],
    );
  return walk(root).map((path) => ({
    file: relative(root, path),
    text: readFileSync(path, 'utf8'),
  }));
}

/** A relative import of a .ts file that stays inside the directory being checked. */
function staysInside(file: string, specifier: string): boolean {
  if (!/^\.\.?\/[\w/.-]+\.ts$/.test(specifier)) return false;
  return !join(dirname(file), specifier).startsWith('..');
}

function importsOf(text: string): string[] {
  return [...text.matchAll(/^(?:import|export)\b[^;]*?from '([^']+)'/gms)].map((m) => m[1]!);
}

const clientSources = sources('../src/');

describe('module boundaries', () => {
  it('client sources import only each other and @ferry/protocol', () => {
    for (const { file, text } of clientSources) {
      for (const specifier of importsOf(text)) {
        expect(
          specifier === '@ferry/protocol' || staysInside(file, specifier),
          `${file} imports ${specifier}`,
        ).toBe(true);
      }
    }
  });

  it('client sources read clock, randomness, timers, fetch and crypto only as option defaults', () => {
    const globals =
      /globalThis|Date\.now|Math\.random|(?<![.\w])(?:setTimeout|clearTimeout|fetch)\(|(?<![.\w])crypto\./;
    const offenders = clientSources
      .filter(({ file, text }) => file !== 'options.ts' && globals.test(text))
      .map(({ file }) => file);
    expect(offenders).toEqual([]);
  });

  it('the testing package uses only the entries of client and protocol published for adapters', () => {
    // `@ferry/client/internal` is for Ferry's own packages: the store suite builds index
    // ranges with the client's key encoding, as the client does when it queries a store.
    const allowed = ['@ferry/client', '@ferry/client/internal', '@ferry/protocol', 'vitest'];
    for (const { file, text } of sources('../../testing/src/')) {
      for (const specifier of importsOf(text)) {
        expect(
          allowed.includes(specifier) || staysInside(file, specifier),
          `${file} imports ${specifier}`,
        ).toBe(true);
      }
    }
  });
});
