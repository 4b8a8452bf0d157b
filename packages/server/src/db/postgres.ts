import { createHash } from 'node:crypto';
import pg from 'pg';
import { FerryConfigError } from '../errors.ts';
import { type Database, preparedName, type Queryable, type SqlParam } from './driver.ts';
import { startPgListener } from './pg-listener.ts';
import { grownTables, watchTableGrowth } from './table-growth.ts';

export interface PostgresOptions {
  connectionString: string;
  /** Schema for Ferry's tables (created if missing); default `public`. */
  schema?: string;
  /** Largest number of pooled connections; default 10. */
  poolSize?: number;
  /** Give up connecting after this long, so a dead database gives a quick 503; default 5000. */
  connectTimeoutMs?: number;
}

const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

function schemaProblem(schema: string): string {
  return `schema "${schema}" is not a lower-case SQL identifier: use 1 to 63 characters of a-z, 0-9 and _, not starting with a digit (e.g. "ferry").`;
}

/** Channel names are identifiers of at most 63 bytes; long schema names are hashed to fit. */
function notifyChannelFor(schema: string): string {
  const plain = `ferry_${schema}`;
  return plain.length <= 63
    ? plain
    : `ferry_${createHash('sha256').update(schema).digest('hex').slice(0, 24)}`;
}

function redact(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return 'postgres (unparseable connection string)';
  }
}

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<Row>(sql: string, params?: readonly SqlParam[]) {
      const values = params as unknown[] | undefined;
      const name = preparedName(sql);
      const result = await (name === undefined
        ? client.query(sql, values)
        : client.query({ name, text: sql, ...(values === undefined ? {} : { values }) }));
      return result.rows as Row[];
    },
  };
}

export function createPostgresDatabase(options: PostgresOptions): Database {
  const schema = options.schema ?? 'public';
  if (!SCHEMA_PATTERN.test(schema)) {
    throw new FerryConfigError('schema', schemaProblem(schema));
  }
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    // Unqualified table names resolve to Ferry's schema, so one query layer serves any schema.
    options: `-c search_path=${schema}`,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  let schemaReady: Promise<void> | undefined;
  const ensureSchema = () => {
    schemaReady ??= pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`).then(
      () => undefined,
      (error: unknown) => {
        schemaReady = undefined;
        throw error;
      },
    );
    return schemaReady;
  };
  const pooled = wrap(pool);
  // Autovacuum records a table's growth once a minute at best, and never where it is off.
  const growth = watchTableGrowth({
    grown: () => grownTables(pooled),
    onGrown: async (tables) => {
      await pool.query(`ANALYZE ${tables.join(', ')}`);
    },
  });
  // A checked-out connection that dies emits 'error' on its client; unheard, that would end
  // the process. The query in flight fails on its own, which is how the caller learns of it.
  const checkout = async () => {
    const client = await pool.connect();
    let broken: Error | undefined;
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    return Object.assign(client, {
      // A connection that failed is destroyed rather than handed to the next caller.
      done: () => {
        client.off('error', onError);
        client.release(broken);
      },
    });
  };

  return {
    kind: 'postgres',
    notifyChannel: notifyChannelFor(schema),
    description: `PostgreSQL ${redact(options.connectionString)} (schema ${schema})`,
    query: pooled.query,
    async exec(sql) {
      await ensureSchema();
      await pool.query(sql);
    },
    async transaction(work) {
      const client = await checkout();
      try {
        await client.query('BEGIN');
        const result = await work(wrap(client));
        await client.query('COMMIT');
        growth.noteWrite();
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        client.done();
      }
    },
    async withExclusiveLock(lockId, work) {
      await ensureSchema();
      const client = await checkout();
      try {
        await client.query('SELECT pg_advisory_lock($1)', [lockId]);
        try {
          return await work(wrap(client));
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [lockId]);
        }
      } finally {
        client.done();
      }
    },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    listen(channel, handlers) {
      const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
      return startPgListener(
        { connectionString: options.connectionString, connectTimeoutMs },
        channel,
        handlers,
      );
    },
    async close() {
      await growth.close();
      await pool.end();
    },
  };
}

/** Drops a schema and everything in it; for test isolation and tooling. */
export async function dropPostgresSchema(connectionString: string, schema: string): Promise<void> {
  if (!SCHEMA_PATTERN.test(schema)) throw new FerryConfigError('schema', schemaProblem(schema));
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
