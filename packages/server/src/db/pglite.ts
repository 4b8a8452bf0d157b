import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable, SqlParam } from './driver.ts';

export interface PGliteOptions {
  /** Directory for the data files; omitted = in memory (tests). One process per directory. */
  dataDir?: string;
}

function wrap(db: Pick<PGlite, 'query'>): Queryable {
  return {
    async query<Row>(sql: string, params?: readonly SqlParam[]) {
      const result = await db.query<Row>(sql, params as unknown[] | undefined);
      return result.rows;
    },
  };
}

/**
 * Embedded PostgreSQL (WASM) in this process. It has a single connection, so transactions
 * run one after another; the schema and queries are exactly those used on PostgreSQL.
 */
export async function createPGliteDatabase(options: PGliteOptions = {}): Promise<Database> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir);
  const direct = wrap(db);
  return {
    kind: 'pglite',
    description: options.dataDir
      ? `embedded PGlite in ${options.dataDir}`
      : 'embedded PGlite in memory',
    query: direct.query,
    async exec(sql) {
      await db.exec(sql);
    },
    transaction(work) {
      return db.transaction((tx) => work(wrap(tx)));
    },
    // PGlite is single-process and single-connection: nothing else can race us.
    withExclusiveLock(_lockId, work) {
      return work(direct);
    },
    async close() {
      await db.close();
    },
  };
}
