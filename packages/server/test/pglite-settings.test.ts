/**
 * The embedded database starts with Ferry's PostgreSQL settings (read back with SHOW), takes
 * the app's over them, refuses one it cannot start with, and makes a new data folder in a
 * child process, renamed into place once complete, that it then opens and keeps.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDataDirInChild } from '../src/db/pglite-init.ts';
import { PGLITE_SETTINGS } from '../src/db/pglite-settings.ts';
import { createPGliteDatabase, type Database, FerryConfigError } from '../src/index.ts';

async function show(database: Database, name: string): Promise<string> {
  const [row] = await database.query<Record<string, string>>(`SHOW ${name}`);
  return Object.values(row ?? {})[0] ?? '';
}

describe('PGlite settings', () => {
  it("starts with Ferry's settings", async () => {
    const database = await createPGliteDatabase();
    try {
      expect(await show(database, 'shared_buffers')).toBe('16MB');
      for (const [name, value] of Object.entries(PGLITE_SETTINGS))
        expect(await show(database, name), name).toBe(value);
      // wal_buffers follows shared_buffers (1/32 of it).
      expect(await show(database, 'wal_buffers')).toBe('512kB');
      // PGlite's own start parameters are kept.
      expect(await show(database, 'max_parallel_workers')).toBe('0');
    } finally {
      await database.close();
    }
  });

  it("takes the app's settings over Ferry's", async () => {
    const database = await createPGliteDatabase({
      settings: { shared_buffers: '32MB', work_mem: 1024, statement_timeout: '5s' },
    });
    try {
      expect(await show(database, 'shared_buffers')).toBe('32MB');
      expect(await show(database, 'work_mem')).toBe('1MB');
      expect(await show(database, 'statement_timeout')).toBe('5s');
      expect(await show(database, 'maintenance_work_mem')).toBe('16MB');
    } finally {
      await database.close();
    }
  });

  it.each([
    ['shared buffers', '64MB'],
    ['shared_buffers;', '64MB'],
    ['shared_buffers', ''],
    ['shared_buffers', '64MB\nfsync=on'],
  ])('refuses the setting %j = %j, naming it', async (name, value) => {
    const attempt = createPGliteDatabase({ settings: { [name]: value } });
    await expect(attempt).rejects.toThrow(FerryConfigError);
    await expect(attempt).rejects.toMatchObject({ option: `settings.${name}` });
  });
});

describe('a new PGlite data folder', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'ferry-pglite-init-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('is made in a child process, opened with the settings, and kept across a restart', async () => {
    const dataDir = join(root, 'nested', 'pg');
    const first = await createPGliteDatabase({ dataDir });
    try {
      expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
      expect(await readdir(join(root, 'nested'))).toEqual(['pg']);
      expect(await show(first, 'shared_buffers')).toBe('16MB');
      await first.exec('CREATE TABLE kept (note text); INSERT INTO kept VALUES ($$there$$)');
    } finally {
      await first.close();
    }
    // A folder that holds a database is opened as it is, never made again.
    expect(await makeDataDirInChild(dataDir)).toBe(false);
    const second = await createPGliteDatabase({
      dataDir,
      settings: { shared_buffers: '8MB' },
    });
    try {
      expect(await second.query('SELECT note FROM kept')).toEqual([{ note: 'there' }]);
      expect(await show(second, 'shared_buffers')).toBe('8MB');
    } finally {
      await second.close();
    }
  });

  it('replaces what an interrupted first start left beside it, and fills an empty folder', async () => {
    const dataDir = join(root, 'empty');
    await mkdir(dataDir);
    await mkdir(`${dataDir}.initdb`);
    await writeFile(join(`${dataDir}.initdb`, 'half-made'), 'x');
    expect(await makeDataDirInChild(dataDir)).toBe(true);
    expect(existsSync(join(dataDir, 'PG_VERSION'))).toBe(true);
    expect(existsSync(`${dataDir}.initdb`)).toBe(false);
    const database = await createPGliteDatabase({ dataDir });
    try {
      expect(await show(database, 'server_version')).toMatch(/^\d+/);
    } finally {
      await database.close();
    }
  });

  it('leaves a folder holding other files to PGlite', async () => {
    const dataDir = join(root, 'occupied');
    await mkdir(dataDir);
    await writeFile(join(dataDir, 'notes.txt'), 'not a database');
    expect(await makeDataDirInChild(dataDir)).toBe(false);
    expect(await readdir(dataDir)).toEqual(['notes.txt']);
  });
});
