/**
 * `npm publish --dry-run` of every package, and what its tarball would carry: the compiled
 * JavaScript with a declaration beside each module, the licence and readme, and nothing of
 * the repository's tests, sources or build state. The registry named is one that cannot
 * answer, so nothing can be published by accident; a dry run only warns that it is not
 * logged in there.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from './support/npm.ts';
import { FERRY_PACKAGES, type FerryPackage, REPOSITORY } from './support/packages.ts';

const NOWHERE = 'http://127.0.0.1:9/';

function packageDir(name: FerryPackage): string {
  return join(REPOSITORY, 'packages', name.replace('@ferry/', ''));
}

async function dryRun(name: FerryPackage): Promise<string[]> {
  const result = await runCommand(
    'npm',
    ['publish', '--dry-run', '--json', '--registry', NOWHERE, '--fetch-retries', '0'],
    { cwd: packageDir(name) },
  );
  if (result.code !== 0)
    throw new Error(`npm publish --dry-run of ${name} failed:\n${result.stderr}`);
  const report = JSON.parse(result.stdout) as Record<string, { files: { path: string }[] }>;
  const entry = report[name];
  if (entry === undefined)
    throw new Error(`npm publish --dry-run reported no ${name}:\n${result.stdout}`);
  return entry.files.map((file) => file.path);
}

/** Compiled modules whose TypeScript source no longer exists (left in dist/ by a rename). */
function staleModules(name: FerryPackage, files: readonly string[]): string[] {
  return files
    .filter((file) => /^dist\/.*\.js$/.test(file))
    .filter(
      (file) => !existsSync(join(packageDir(name), file.replace(/^dist\/(.*)\.js$/, 'src/$1.ts'))),
    );
}

describe.each(FERRY_PACKAGES)('npm publish --dry-run of %s', (name) => {
  it('passes, with compiled modules, declarations, licence and readme, and no tests or build state', async () => {
    const files = await dryRun(name);
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'dist/index.js',
        'dist/index.d.ts',
      ]),
    );
    const modules = files.filter((file) => /^dist\/.*\.js$/.test(file));
    const undeclared = modules.filter((file) => !files.includes(file.replace(/\.js$/, '.d.ts')));
    expect(undeclared).toEqual([]);
    const unwanted = files.filter((file) =>
      /(^|\/)(test|tests|__tests__|fixtures)\/|\.(test|spec)\.|^src\/|\.tsbuildinfo$/.test(file),
    );
    expect(unwanted).toEqual([]);
    // A stale module is harmless at run time but ships code the sources no longer have;
    // `npm run clean` empties every dist/ and the next run builds them again.
    expect(
      staleModules(name, files),
      'modules left in dist/ by a renamed or removed source: run npm run clean',
    ).toEqual([]);
  }, 60_000);
});
