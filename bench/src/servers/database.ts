/**
 * A fresh database for one measurement: a schema of its own on PostgreSQL (dropped after),
 * an embedded PGlite in a temporary folder (removed after), or one in memory. Ferry, the floor and the
 * RxDB endpoint all reach it through the same `Database` query layer.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createPGliteDatabase,
  createPostgresDatabase,
  type Database,
  dropPostgresSchema,
} from '@ferry/server';

export interface BenchDatabase {
  database: Database;
  dispose(): Promise<void>;
}

export async function openDatabase(
  kind: 'postgres' | 'pglite' | 'memory',
  postgresUrl: string,
): Promise<BenchDatabase> {
  if (kind === 'postgres') {
    const schema = `bench_${randomBytes(6).toString('hex')}`;
    const database = createPostgresDatabase({
      connectionString: postgresUrl,
      schema,
      poolSize: 20,
      // Under W3's thousand clients a server that takes a pooled connection per request
      // waits its turn for one; the default timeout, meant for a dead database, would turn
      // that wait into failed writes.
      connectTimeoutMs: 120_000,
    });
    return {
      database,
      async dispose() {
        await database.close();
        await dropPostgresSchema(postgresUrl, schema);
      },
    };
  }
  if (kind === 'memory') {
    // No data folder: PGlite keeps its files in memory, like RxDB's memory storage.
    const database = await createPGliteDatabase();
    return { database, dispose: () => database.close() };
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'ferry-bench-pglite-'));
  const database = await createPGliteDatabase({ dataDir });
  return {
    database,
    async dispose() {
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
