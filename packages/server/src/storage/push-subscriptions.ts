/** Browser push subscriptions and the VAPID key pair, in the database so every replica shares them. */
import { prepared, type Queryable } from '../db/driver.ts';
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

/** Adds or refreshes a subscription; an endpoint moves to the user who subscribed last. */
export async function saveSubscription(
  db: Queryable,
  subscription: PushSubscriptionRow & { spaces: readonly string[] },
): Promise<void> {
  await db.query(
    `INSERT INTO ferry_push_subscriptions (endpoint, user_id, spaces, p256dh, auth) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (endpoint) DO UPDATE
     SET user_id = excluded.user_id, spaces = excluded.spaces, p256dh = excluded.p256dh, auth = excluded.auth`,
    [
      subscription.endpoint,
      subscription.userId,
      subscription.spaces,
      subscription.p256dh,
      subscription.auth,
    ],
  );
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
