/**
 * The browser client's cost in an app (scripts/size/measure.ts), held to the figure
 * recorded in packages/browser/size.json: more than 10 % over it fails until the record is
 * updated on purpose. Measured from dist/, which the suite's global setup has just built.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { measureClientSize } from '../../scripts/size/measure.ts';
import {
  compareWithRecord,
  readSizeRecord,
  SIZE_RECORD_PATH,
  type SizeRecord,
} from '../../scripts/size/record.ts';
import { REPOSITORY } from './support/packages.ts';

const RECORD: SizeRecord = { measures: 'a test figure', gzipBytes: 20_000, minifiedBytes: 60_000 };

describe('the size check', () => {
  it('fails a size more than 10 % over the record, saying how to accept it', () => {
    const result = compareWithRecord(22_001, RECORD);
    expect(result.verdict).toBe('grew-too-much');
    expect(result.limitBytes).toBe(22_000);
    expect(result.message).toContain('npm run size -- --update');
  });

  it('passes a size up to 10 % over the record', () => {
    expect(compareWithRecord(22_000, RECORD).verdict).toBe('within');
    expect(compareWithRecord(20_000, RECORD).verdict).toBe('within');
  });

  it('passes a smaller size and reports that the record can follow it down', () => {
    const result = compareWithRecord(18_000, RECORD);
    expect(result.verdict).toBe('shrank');
    expect(result.message).toMatch(/shrank: 18000 B .* \(-10\.0 %\)/);
  });
});

describe('the browser client in an app', () => {
  it('stays within 10 % of its recorded min+gz size', async () => {
    const report = await measureClientSize(REPOSITORY);
    const record = readSizeRecord(join(REPOSITORY, SIZE_RECORD_PATH));
    const result = compareWithRecord(report.gzipBytes, record);
    if (result.verdict === 'shrank') console.log(result.message);
    expect(report.gzipBytes, result.message).toBeLessThanOrEqual(result.limitBytes);
    // The bundle is Ferry's alone: React stays the app's, and nothing of Node slipped in.
    const modules = report.contributors.map((contributor) => contributor.module);
    expect(modules.filter((module) => !module.startsWith('@ferry/'))).toEqual([]);
  }, 60_000);
});
