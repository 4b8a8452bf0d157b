/**
 * `npm run size`: what Ferry's browser client costs an app, min+gz, the packages and
 * modules that make it up, and how it compares with the recorded figure.
 * `npm run size -- --update` records the new figure. Measures the compiled dist/, so it
 * builds first.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureClientSize, type SizeReport } from './size/measure.ts';
import {
  compareWithRecord,
  readSizeRecord,
  SIZE_RECORD_PATH,
  writeSizeRecord,
} from './size/record.ts';

const TOP_MODULES = 15;
const repository = fileURLToPath(new URL('..', import.meta.url));
const recordPath = join(repository, SIZE_RECORD_PATH);

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

function byPackage(report: SizeReport): [string, number][] {
  const totals = new Map<string, number>();
  for (const { module, minifiedBytes } of report.contributors) {
    const name = module
      .split('/')
      .slice(0, module.startsWith('@') ? 2 : 1)
      .join('/');
    totals.set(name, (totals.get(name) ?? 0) + minifiedBytes);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

function print(report: SizeReport): void {
  console.log('createClient + openFerry + openIndexedDbStore + React hooks (React excluded):');
  console.log(
    `  ${kib(report.gzipBytes)} min+gz (${report.gzipBytes} B), ${kib(report.minifiedBytes)} minified`,
  );
  console.log('By package, minified:');
  for (const [name, bytes] of byPackage(report)) {
    const share = ((bytes / report.minifiedBytes) * 100).toFixed(0);
    console.log(`  ${name.padEnd(18)} ${kib(bytes).padStart(9)}  ${share.padStart(2)} %`);
  }
  console.log(`Largest ${TOP_MODULES} modules, minified:`);
  for (const { module, minifiedBytes } of report.contributors.slice(0, TOP_MODULES)) {
    console.log(`  ${String(minifiedBytes).padStart(6)} B  ${module}`);
  }
}

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
try {
  execFileSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], {
    cwd: repository,
    stdio: 'inherit',
  });
} catch {
  // tsc has printed the errors; a stack trace of this script would only bury them.
  console.error('The packages do not build (errors above), so there is no dist/ to measure.');
  process.exit(1);
}
const report = await measureClientSize(repository);
print(report);
if (process.argv.includes('--update')) {
  writeSizeRecord(recordPath, report);
  console.log(`Recorded in ${SIZE_RECORD_PATH}.`);
} else {
  const { verdict, message } = compareWithRecord(report.gzipBytes, readSizeRecord(recordPath));
  console.log(message);
  if (verdict === 'grew-too-much') process.exitCode = 1;
}
