/**
 * Vitest's global setup: compiles the packages (`tsc -b`, incremental, so about a second
 * when nothing changed) before any test runs. The tests themselves import the TypeScript
 * sources through the `@ferry/source` condition; the compiled output is what the tests of
 * the `ferry` and `ferry-agent` commands start and what the consumer tests pack.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export default function buildPackages(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const root = fileURLToPath(new URL('../..', import.meta.url));
  execFileSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
}
