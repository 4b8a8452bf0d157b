/**
 * The size figure the repository has agreed to (packages/browser/size.json), and how a new
 * measurement compares with it: growing more than 10 % over it fails until the record is
 * updated on purpose (`npm run size -- --update`), so a bigger client is a decision, not an
 * accident; shrinking is reported, so the record can follow it down.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { SizeReport } from './measure.ts';

export const SIZE_RECORD_PATH = 'packages/browser/size.json';

/** How much the gzipped size may grow over the record before the check fails. */
export const GROWTH_ALLOWANCE = 0.1;

export interface SizeRecord {
  measures: string;
  gzipBytes: number;
  minifiedBytes: number;
}

const MEASURES =
  'createClient + openFerry + openIndexedDbStore + the @ferry/browser/react hooks, bundled from dist/ by esbuild (minified, browser, ES2022, React external), gzip level 9';

export function readSizeRecord(path: string): SizeRecord {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<SizeRecord>;
  const { gzipBytes, minifiedBytes } = parsed;
  if (typeof gzipBytes !== 'number' || typeof minifiedBytes !== 'number') {
    throw new Error(
      `${path} needs numeric gzipBytes and minifiedBytes; run npm run size -- --update`,
    );
  }
  return { measures: parsed.measures ?? MEASURES, gzipBytes, minifiedBytes };
}

export function writeSizeRecord(path: string, report: SizeReport): void {
  const record: SizeRecord = {
    measures: MEASURES,
    gzipBytes: report.gzipBytes,
    minifiedBytes: report.minifiedBytes,
  };
  writeFileSync(path, `${JSON.stringify(record, null, 2)}\n`);
}

export interface SizeVerdict {
  verdict: 'grew-too-much' | 'within' | 'shrank';
  /** The largest gzipped size that passes: the record plus the allowance. */
  limitBytes: number;
  message: string;
}

export function compareWithRecord(gzipBytes: number, record: SizeRecord): SizeVerdict {
  const limitBytes = Math.floor(record.gzipBytes * (1 + GROWTH_ALLOWANCE));
  const change = (gzipBytes - record.gzipBytes) / record.gzipBytes;
  const figures = `${gzipBytes} B min+gz against ${record.gzipBytes} B recorded in ${SIZE_RECORD_PATH} (${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)} %)`;
  if (gzipBytes > limitBytes) {
    return {
      verdict: 'grew-too-much',
      limitBytes,
      message: `The browser client grew more than ${GROWTH_ALLOWANCE * 100} %: ${figures}. Make it smaller, or accept the new size with npm run size -- --update and say why in the commit.`,
    };
  }
  if (gzipBytes < record.gzipBytes) {
    return {
      verdict: 'shrank',
      limitBytes,
      message: `The browser client shrank: ${figures}. Record it with npm run size -- --update.`,
    };
  }
  return { verdict: 'within', limitBytes, message: `The browser client is ${figures}.` };
}
