import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { type Database, preparedName, type Queryable, type SqlParam } from './driver.ts';
import { makeDataDirInChild } from './pglite-init.ts';
import { createPreparedStatements, type PreparedStatements } from './pglite-prepared.ts';
import { pgliteStartParams } from './pglite-settings.ts';
import { scheduleVacuum } from './pglite-vacuum.ts';
import { grownTables, watchTableGrowth } from './table-growth.ts';

export interface PGliteOptions {
  /** Directory for the data files; omitted = in memory (tests). One process per directory. */
  dataDir?: string;
  /**
   * PostgreSQL settings given at start, over Ferry's own (`shared_buffers: '16MB'`,
   * `work_mem: '2MB'`, … as docs/server.md lists them), e.g. `{ shared_buffers: '64MB' }`
   * for a database much larger than memory's share of it. Read back with `SHOW name`.
   */
  settings?: Readonly<Record<string, string | number>>;
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
 * run one after another; the schema and queries are exactly those used on PostgreSQL. It
 * starts with settings that keep this process's memory small (pglite-settings.ts), makes a
 * new data folder in a child process (pglite-init.ts), and vacuums after writes and as
 * tables grow, which autovacuum does not do here (pglite-vacuum.ts, table-growth.ts).
 */
export async function createPGliteDatabase(options: PGliteOptions = {}): Promise<Database> {
  const startParams = pgliteStartParams(options.settings);
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    await makeDataDirInChild(options.dataDir);
  }
  const db = await PGlite.create(options.dataDir, { startParams });
  const statements = createPreparedStatements(db);
  const direct = queryable(db, statements, (work) => db.transaction(work));
  const vacuum = scheduleVacuum(async () => {
    await db.exec('VACUUM');
  });
  // VACUUM records a table's size as ANALYZE does, which is what new plans need; ANALYZE's
  // sample of 30,000 rows would grow this process for good (50-90 MiB with rows of ~1 KB).
  const growth = watchTableGrowth({
    grown: () => grownTables(direct),
    onGrown: async (tables) => {
      await db.exec(`VACUUM ${tables.join(', ')}`);
    },
  });
  return {
    kind: 'pglite',
    description: options.dataDir
      ? `embedded PGlite in ${options.dataDir}`
      : 'embedded PGlite in memory',
    query: direct.query,
    async exec(sql) {
      await db.exec(sql);
    },
    async transaction(work) {
      try {
        return await db.transaction((tx) => work(queryable(tx, statements, (inside) => inside())));
      } finally {
        vacuum.noteWrite();
        growth.noteWrite();
      }
    },
    // PGlite is single-process and single-connection: nothing else can race us.
    withExclusiveLock(_lockId, work) {
      return work(direct);
    },
    async close() {
      await Promise.all([vacuum.close(), growth.close()]);
      await db.close();
    },
  };
}
