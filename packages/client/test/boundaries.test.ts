/**
 * Structural rules the compiler cannot check: the engine depends on nothing but the
 * protocol package, reads platform globals only as option defaults, and the testing
 * package uses only the client's public entry.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

function sources(relativeDir: string): Array<{ file: string; text: string }> {
  const dir = new URL(relativeDir, import.meta.url);
  return readdirSync(dir)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => ({ file, text: readFileSync(new URL(file, dir), 'utf8') }));
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
          specifier === '@ferry/protocol' || /^\.\/[\w-]+\.ts$/.test(specifier),
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

  it('the testing package uses only the public entries of client and protocol', () => {
    for (const { file, text } of sources('../../testing/src/')) {
      for (const specifier of importsOf(text)) {
        expect(
          ['@ferry/client', '@ferry/protocol', 'vitest'].includes(specifier) ||
            /^\.\/[\w-]+\.ts$/.test(specifier),
          `${file} imports ${specifier}`,
        ).toBe(true);
      }
    }
  });
});
