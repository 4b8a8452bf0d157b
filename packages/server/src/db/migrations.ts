/**
 * Versioned schema migrations, applied in order at start. Each migration runs in its own
 * transaction, under a lock so that replicas starting together migrate once. Never edit a
 * released migration: add a new one.
 */
import type { Database, Queryable } from './driver.ts';
import { VERSIONS_WITHOUT_LOCK } from './migration-versions.ts';

interface Migration {
  version: number;
  name: string;
  statements: string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    statements: [
      // One row. `head_version` is the highest committed version; every writer locks this
      // row before assigning versions, so versions become visible in ascending order and a
      // reader following `version > cursor` never skips a change (invariant I2).
      `CREATE TABLE ferry_server (
        id smallint PRIMARY KEY CHECK (id = 1),
        server_id text NOT NULL,
        head_version bigint NOT NULL,
        min_cursor_version bigint NOT NULL DEFAULT 0
      )`,
      `INSERT INTO ferry_server (id, server_id, head_version) VALUES (1, replace(gen_random_uuid()::text, '-', ''), 0)`,
      // A client id belongs to the first user that used it; last_mutation_id moves in the
      // same transaction as the mutations' effects (invariant I1).
      `CREATE TABLE ferry_clients (
        client_id text PRIMARY KEY,
        user_id text NOT NULL,
        last_mutation_id bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
      // The latest state of every record; value is JSON text, NULL for a tombstone.
      `CREATE TABLE ferry_records (
        space text NOT NULL,
        collection text NOT NULL,
        key text NOT NULL,
        value text,
        version bigint NOT NULL,
        PRIMARY KEY (space, collection, key)
      )`,
      // Pulls are range scans of this index, per space, from the cursor's version.
      'CREATE INDEX ferry_records_space_version ON ferry_records (space, version)',
    ],
  },
  {
    version: 2,
    name: 'remembered rejections',
    statements: [
      // Why a mutation was rejected, so that a resend after a lost response (a duplicate)
      // still reports the rejection. Kept for a retention period, then pruned.
      `CREATE TABLE ferry_rejections (
        client_id text NOT NULL,
        mutation_id bigint NOT NULL,
        code text NOT NULL,
        message text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (client_id, mutation_id)
      )`,
      'CREATE INDEX ferry_rejections_created_at ON ferry_rejections (created_at)',
    ],
  },
  {
    version: 3,
    name: 'commit events',
    statements: [
      // The outbox of committed changes awaiting the app's afterCommit hook.
      `CREATE TABLE ferry_commit_events (
        id bigserial PRIMARY KEY,
        changes text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        claimed_until timestamptz,
        last_error text
      )`,
    ],
  },
  {
    version: 4,
    name: 'tombstone compaction',
    statements: [
      // When each record last changed, so tombstones past the retention can be removed.
      'ALTER TABLE ferry_records ADD COLUMN committed_at timestamptz NOT NULL DEFAULT now()',
      'CREATE INDEX ferry_records_tombstones ON ferry_records (committed_at) WHERE value IS NULL',
    ],
  },
  {
    version: 5,
    name: 'web push',
    statements: [
      // VAPID keys generated on first start, shared by every replica.
      `CREATE TABLE ferry_vapid (
        id smallint PRIMARY KEY CHECK (id = 1),
        public_key text NOT NULL,
        private_key text NOT NULL
      )`,
      // A browser's push subscription, with the spaces its user could read when subscribing.
      `CREATE TABLE ferry_push_subscriptions (
        endpoint text PRIMARY KEY,
        user_id text NOT NULL,
        spaces text[] NOT NULL,
        p256dh text NOT NULL,
        auth text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_sent_at timestamptz
      )`,
      'CREATE INDEX ferry_push_subscriptions_user ON ferry_push_subscriptions (user_id)',
      'CREATE INDEX ferry_push_subscriptions_spaces ON ferry_push_subscriptions USING gin (spaces)',
    ],
  },
  {
    version: 6,
    name: 'native push',
    statements: [
      // A phone's FCM or APNs token, with the spaces its user could read when registering.
      `CREATE TABLE ferry_push_devices (
        platform text NOT NULL CHECK (platform IN ('fcm', 'apns')),
        token text NOT NULL,
        environment text CHECK (environment IN ('sandbox', 'production')),
        user_id text NOT NULL,
        spaces text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_sent_at timestamptz,
        PRIMARY KEY (platform, token)
      )`,
      'CREATE INDEX ferry_push_devices_user ON ferry_push_devices (user_id)',
      'CREATE INDEX ferry_push_devices_spaces ON ferry_push_devices USING gin (spaces)',
    ],
  },
  {
    version: 7,
    name: 'versions without a lock',
    // Writers take versions from a sequence; readers stop below the oldest writer still
    // holding versions (see migration-versions.ts).
    statements: [...VERSIONS_WITHOUT_LOCK],
  },
];

/** Arbitrary constant naming Ferry's migration lock among the database's advisory locks. */
const MIGRATION_LOCK_ID = 0x46_45_52_52; // "FERR"

async function appliedVersions(db: Queryable): Promise<Set<number>> {
  await db.query(`CREATE TABLE IF NOT EXISTS ferry_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const rows = await db.query<{ version: number }>('SELECT version FROM ferry_migrations');
  return new Set(rows.map((r) => Number(r.version)));
}

/** Applies the migrations this database lacks; returns the versions it applied. */
export async function migrate(database: Database): Promise<number[]> {
  return database.withExclusiveLock(MIGRATION_LOCK_ID, async (db) => {
    const applied = await appliedVersions(db);
    const done: number[] = [];
    for (const migration of MIGRATIONS) {
      if (applied.has(migration.version)) continue;
      await db.query('BEGIN');
      try {
        for (const statement of migration.statements) await db.query(statement);
        await db.query('INSERT INTO ferry_migrations (version, name) VALUES ($1, $2)', [
          migration.version,
          migration.name,
        ]);
        await db.query('COMMIT');
      } catch (error) {
        await db.query('ROLLBACK');
        throw error;
      }
      done.push(migration.version);
    }
    return done;
  });
}
