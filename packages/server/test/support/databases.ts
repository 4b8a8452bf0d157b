/**
 * The databases server tests run against: real PostgreSQL (an isolated schema per
 * database, dropped afterwards) when `DATABASE_URL` — default
 * postgres://postgres@127.0.0.1:5432/test — answers, and always embedded PGlite.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import {
  createPGliteDatabase,
  createPostgresDatabase,
  type Database,
  dropPostgresSchema,
} from '../../src/index.ts';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  database: Database;
  /** Closes the database and removes its data. */
  dispose(): Promise<void>;
}

export interface TestDatabaseKind {
  name: 'postgres' | 'pglite';
  /** `poolSize`: connections on PostgreSQL (20 by default); PGlite has one. */
  create(options?: { poolSize?: number }): Promise<TestDatabase>;
}

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const postgres: TestDatabaseKind = {
  name: 'postgres',
  async create(options) {
    const schema = `ferry_test_${randomBytes(6).toString('hex')}`;
    const database = createPostgresDatabase({
      connectionString: DATABASE_URL,
      schema,
      poolSize: options?.poolSize ?? 20,
    });
    return {
      database,
      async dispose() {
        await database.close();
        await dropPostgresSchema(DATABASE_URL, schema);
      },
    };
  },
};

const pglite: TestDatabaseKind = {
  name: 'pglite',
  async create() {
    const database = await createPGliteDatabase();
    return { database, dispose: () => database.close() };
  },
};

const postgresReachable = await postgresAnswers();
if (!postgresReachable) {
  console.warn(
    `PostgreSQL does not answer at ${DATABASE_URL}: server storage tests run on PGlite only`,
  );
}

/** Every database kind available here: PostgreSQL when it answers, PGlite always. */
export const DATABASE_KINDS: readonly TestDatabaseKind[] = postgresReachable
  ? [postgres, pglite]
  : [pglite];
