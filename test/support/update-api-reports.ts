/**
 * `npm run api:update`: rewrites `api/*.api.md` from the compiled declarations (the
 * script builds first), and removes the report of an entry point that no longer exists.
 * Run it when a change to the public API is intended, and commit the reports with it.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { entryPoints, REPORT_DIR, repositoryApiReports } from './api-report.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const reports = repositoryApiReports(root);
const reportDir = join(root, REPORT_DIR);
mkdirSync(reportDir, { recursive: true });
const written = new Set<string>();
for (const entry of entryPoints(root)) {
  const text = reports.get(entry.specifier);
  if (text === undefined) throw new Error(`no report was made for ${entry.specifier}`);
  writeFileSync(entry.reportFile, text);
  written.add(entry.reportFile);
  console.log(`wrote ${relative(root, entry.reportFile)}`);
}
for (const name of readdirSync(reportDir)) {
  const file = join(reportDir, name);
  if (name.endsWith('.api.md') && !written.has(file)) {
    rmSync(file);
    console.log(`removed ${relative(root, file)}`);
  }
}
