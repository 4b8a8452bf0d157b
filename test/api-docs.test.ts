/**
 * The API reference (`npm run docs`, typedoc.config.mjs) builds without a warning and has a
 * page for every public entry point of every published package, and none for internal ones.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicSpecifiers, publishedWorkspaces, ROOT } from './support/workspaces.ts';

const run = promisify(execFile);

/**
 * TypeDoc's file name for a module: `@ferry/browser/react` → `_ferry_browser_react.html`,
 * `@ferry/react-native` → `_ferry_react-native.html`.
 */
function modulePage(specifier: string): string {
  return `${specifier.replace(/[^a-z0-9-]/gi, '_')}.html`;
}

describe('API reference', () => {
  const out = mkdtempSync(join(tmpdir(), 'ferry-api-docs-'));
  let output = '';

  beforeAll(async () => {
    const manifest = createRequire(import.meta.url).resolve('typedoc/package.json');
    const typedoc = join(dirname(manifest), 'bin', 'typedoc');
    // Rejects on a non-zero exit, which treatWarningsAsErrors gives any warning.
    const result = await run(process.execPath, [typedoc, '--out', out], { cwd: ROOT });
    output = result.stdout + result.stderr;
  }, 180_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('builds without a warning or an error', () => {
    expect(output.split('\n').filter((line) => /\[(warning|error)\]/.test(line))).toEqual([]);
    expect(existsSync(join(out, 'index.html'))).toBe(true);
  });

  it('has a page for every public entry point of every published package', () => {
    const specifiers = publishedWorkspaces().flatMap(({ manifest }) => publicSpecifiers(manifest));
    expect(specifiers).toContain('@ferry/browser/react');
    for (const specifier of specifiers) {
      const page = join(out, 'modules', modulePage(specifier));
      expect(existsSync(page), specifier).toBe(true);
      expect(readFileSync(page, 'utf8')).toContain(`<title>${specifier} | Ferry</title>`);
    }
  });

  it('leaves out internal entry points', () => {
    const pages = readdirSync(join(out, 'modules'));
    expect(pages.filter((page) => page.includes('internal'))).toEqual([]);
  });

  it('links a type to the page of the package that declares it, across packages', () => {
    const hook = readFileSync(
      join(out, 'functions', '_ferry_browser_react.useSyncStatus.html'),
      'utf8',
    );
    expect(hook).toContain('href="../interfaces/_ferry_client.FerryClient.html"');
  });
});
