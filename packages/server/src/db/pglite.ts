import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { type Database, preparedName, type Queryable, type SqlParam } from './driver.ts';
import { createPreparedStatements, type PreparedStatements } from './pglite-prepared.ts';

export interface PGliteOptions {
  /** Directory for the data files; omitted = in memory (tests). One process per directory. */
  dataDir?: string;
}

/**
 * Ferry's marked statements run prepared, while PGlite's lock is held (`holdLock`: nothing
 * inside a transaction, which holds it; a transaction of its own outside one); other texts
 * go through PGlite's `query`, which takes the lock itself.
 */
function queryable(
  db: Pick<PGlite, 'query'>,
  statements: PreparedStatements,
  holdLock: <T>(work: () => Promise<T>) => Promise<T>,
): Queryable {
  return {
    async query<Row>(sql: string, params?: readonly SqlParam[]) {
      const name = preparedName(sql);
      if (name !== undefined) return holdLock(() => statements.run<Row>(name, sql, params ?? []));
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
  const statements = createPreparedStatements(db);
  const direct = queryable(db, statements, (work) => db.transaction(work));
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
      return db.transaction((tx) => work(queryable(tx, statements, (inside) => inside())));
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
