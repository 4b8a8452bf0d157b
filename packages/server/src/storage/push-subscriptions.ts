/** Browser push subscriptions and the VAPID key pair, in the database so every replica shares them. */
import { type Database, prepared, type Queryable } from '../db/driver.ts';
import { notMigrated } from '../errors.ts';

export interface PushSubscriptionRow {
  endpoint: string;
  userId: string;
  p256dh: string;
  auth: string;
}

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

/** The stored key pair, or `generate()`'s, stored by whichever replica gets there first. */
export async function loadOrCreateVapidKeys(
  db: Queryable,
  generate: () => VapidKeys,
): Promise<VapidKeys> {
  const fresh = generate();
  await db.query(
    'INSERT INTO ferry_vapid (id, public_key, private_key) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING',
    [fresh.publicKey, fresh.privateKey],
  );
  const [row] = await db.query<{ public_key: string; private_key: string }>(
    'SELECT public_key, private_key FROM ferry_vapid WHERE id = 1',
  );
  if (!row) throw notMigrated('ferry_vapid');
  return { publicKey: row.public_key, privateKey: row.private_key };
}

/** Arbitrary constant naming the per-user subscription locks among the database's advisory locks. */
const SUBSCRIPTION_LOCK_SPACE = 0x46_50_53_55; // "FPSU"

/**
 * Adds or refreshes a subscription (an endpoint moves to the user who subscribed last) and
 * keeps at most `maxPerUser` for that user: beyond it, the ones subscribed least recently
 * are deleted. Returns the endpoints deleted. Subscriptions of one user are saved one at a
 * time (a transaction-scoped advisory lock), so concurrent subscribes cannot together
 * exceed the cap.
 */
export async function saveSubscription(
  db: Database,
  subscription: PushSubscriptionRow & { spaces: readonly string[] },
  maxPerUser: number,
): Promise<string[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::integer, hashtext($2))', [
      SUBSCRIPTION_LOCK_SPACE,
      subscription.userId,
    ]);
    // created_at is when the endpoint was last subscribed (read after taking the lock): a
    // browser that subscribes again is as recent as a new one.
    await tx.query(
      `INSERT INTO ferry_push_subscriptions (endpoint, user_id, spaces, p256dh, auth, created_at)
       VALUES ($1, $2, $3, $4, $5, clock_timestamp())
       ON CONFLICT (endpoint) DO UPDATE
       SET user_id = excluded.user_id, spaces = excluded.spaces, p256dh = excluded.p256dh,
           auth = excluded.auth, created_at = excluded.created_at`,
      [
        subscription.endpoint,
        subscription.userId,
        subscription.spaces,
        subscription.p256dh,
        subscription.auth,
      ],
    );
    const evicted = await tx.query<{ endpoint: string }>(
      `DELETE FROM ferry_push_subscriptions WHERE endpoint IN (
         SELECT endpoint FROM ferry_push_subscriptions
         WHERE user_id = $1 AND endpoint <> $2
         ORDER BY created_at DESC, endpoint
         OFFSET $3)
       RETURNING endpoint`,
      [subscription.userId, subscription.endpoint, maxPerUser - 1],
    );
    return evicted.map((row) => row.endpoint);
  });
}

/** Deletes a user's subscription; returns whether there was one. */
export async function deleteSubscription(
  db: Queryable,
  endpoint: string,
  userId?: string,
): Promise<boolean> {
  const rows = await db.query(
    userId === undefined
      ? 'DELETE FROM ferry_push_subscriptions WHERE endpoint = $1 RETURNING 1'
      : 'DELETE FROM ferry_push_subscriptions WHERE endpoint = $1 AND user_id = $2 RETURNING 1',
    userId === undefined ? [endpoint] : [endpoint, userId],
  );
  return rows.length > 0;
}

const CLAIM_SQL = prepared(`UPDATE ferry_push_subscriptions SET last_sent_at = now()
     WHERE spaces && $1::text[]
       AND (last_sent_at IS NULL OR last_sent_at <= now() - $2::bigint * interval '1 millisecond')
     RETURNING endpoint, user_id, p256dh, auth`);

/**
 * Claims the subscriptions to notify about a commit in `spaces`: those of users who can
 * read one of them and were not notified within `minIntervalMs`. Claiming stamps them in
 * the same statement, so replicas never notify one subscription twice in a window.
 */
export async function claimSubscriptionsToNotify(
  db: Queryable,
  spaces: readonly string[],
  minIntervalMs: number,
): Promise<PushSubscriptionRow[]> {
  const rows = await db.query<{ endpoint: string; user_id: string; p256dh: string; auth: string }>(
    CLAIM_SQL,
    [spaces, minIntervalMs],
  );
  return rows.map((r) => ({
    endpoint: r.endpoint,
    userId: r.user_id,
    p256dh: r.p256dh,
    auth: r.auth,
  }));
}
