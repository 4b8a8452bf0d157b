/**
 * The public API of every package entry point matches its committed report in `api/`, so
 * that no export, signature or member changes by accident. When a change is intended, run
 * `npm run api:update` and commit the reports with it.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createApiReports,
  entryPoints,
  REPORT_DIR,
  repositoryApiReports,
} from './support/api-report.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const UPDATE_HINT =
  'The public API changed. If the change is intended, run `npm run api:update` and commit the api/*.api.md it rewrites';

describe('public API reports', () => {
  const entries = entryPoints(ROOT);
  // Built once for every entry: one TypeScript program over all the declarations.
  const reports = repositoryApiReports(ROOT);

  it('cover every entry point the packages export, including subpaths', () => {
    const specifiers = entries.map((entry) => entry.specifier);
    expect(specifiers).toEqual(
      expect.arrayContaining(['@ferry/client/internal', '@ferry/browser/react']),
    );
    const reportFiles = readdirSync(join(ROOT, REPORT_DIR)).filter((name) =>
      name.endsWith('.api.md'),
    );
    expect(reportFiles.map((name) => join(ROOT, REPORT_DIR, name)).sort(), UPDATE_HINT).toEqual(
      entries.map((entry) => entry.reportFile).sort(),
    );
  });

  for (const entry of entries) {
    it(`${entry.specifier} matches its report`, () => {
      const committed = existsSync(entry.reportFile) ? readFileSync(entry.reportFile, 'utf8') : '';
      expect(reports.get(entry.specifier), `${entry.specifier}: ${UPDATE_HINT}`).toBe(committed);
    });
  }
});

describe('an API report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-api-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const reportOf = (declarations: string): string => {
    const typesFile = join(dir, 'index.d.ts');
    writeFileSync(typesFile, declarations);
    const reports = createApiReports({
      entries: [{ specifier: 'fixture', typesFile }],
      root: dir,
      isOwnFile: (fileName) => fileName.startsWith(dir),
    });
    return reports.get('fixture') ?? '';
  };

  it('changes when a signature changes, not only when a name does', () => {
    const before = reportOf('export declare function send(body: string): Promise<void>;\n');
    const after = reportOf('export declare function send(body: Uint8Array): Promise<void>;\n');
    expect(before).toContain('## send (function)');
    expect(before).toContain('function send(body: string): Promise<void>;');
    expect(after).not.toBe(before);
  });

  it('changes when a member of an exported interface changes, and ignores comments', () => {
    const plain = reportOf('export interface Options {\n    limit: number;\n}\n');
    expect(
      reportOf('export interface Options {\n    /** How many. */\n    limit: number;\n}\n'),
    ).toBe(plain);
    expect(reportOf('export interface Options {\n    limit?: number;\n}\n')).not.toBe(plain);
  });

  it('lists a type the API reaches but does not export, so its changes show too', () => {
    const report = reportOf(
      // `export {}` makes the other declarations private, as tsc writes it into a .d.ts.
      'interface Hidden {\n    id: string;\n}\nexport declare function find(): Hidden;\nexport {};\n',
    );
    expect(report).toContain('# Reached from the API but not exported');
    expect(report).toMatch(
      /## Hidden \(index\.d\.ts\)\n\n```ts\ninterface Hidden \{\n {4}id: string;\n\}\n```/,
    );
  });
});
