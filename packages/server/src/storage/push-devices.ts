/**
 * Phones' native push tokens (FCM registration tokens, APNs device tokens), in the database
 * so every replica shares them: the same design as browser push subscriptions
 * (push-subscriptions.ts) — a user's devices with the spaces they could read when
 * registering, at most a few per user, each claimed at most once per window.
 */
import { type Database, prepared, type Queryable } from '../db/driver.ts';

export type NativePushPlatform = 'fcm' | 'apns';
export type ApnsEnvironment = 'sandbox' | 'production';

export interface PushDeviceRow {
  platform: NativePushPlatform;
  token: string;
  /** APNs only: where the token was issued; undefined follows the server's `apns.production`. */
  environment: ApnsEnvironment | undefined;
  userId: string;
}

/** Arbitrary constant naming the per-user device locks among the database's advisory locks. */
const DEVICE_LOCK_SPACE = 0x46_4e_50_44; // "FNPD"

/**
 * Adds or refreshes a device (a token moves to the user who registered it last) and keeps
 * at most `maxPerUser` devices, of either platform, for that user: beyond it, the ones
 * registered least recently are deleted. Returns the devices deleted. Devices of one user
 * are saved one at a time (a transaction-scoped advisory lock), so concurrent registrations
 * cannot together exceed the cap.
 */
export async function saveDevice(
  db: Database,
  device: PushDeviceRow & { spaces: readonly string[] },
  maxPerUser: number,
): Promise<{ platform: NativePushPlatform; token: string }[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::integer, hashtext($2))', [
      DEVICE_LOCK_SPACE,
      device.userId,
    ]);
    // created_at is when the token was last registered (read after taking the lock): an app
    // that registers again at launch is as recent as a new device.
    await tx.query(
      `INSERT INTO ferry_push_devices (platform, token, environment, user_id, spaces, created_at)
       VALUES ($1, $2, $3, $4, $5, clock_timestamp())
       ON CONFLICT (platform, token) DO UPDATE
       SET environment = excluded.environment, user_id = excluded.user_id,
           spaces = excluded.spaces, created_at = excluded.created_at`,
      [device.platform, device.token, device.environment ?? null, device.userId, device.spaces],
    );
    return tx.query<{ platform: NativePushPlatform; token: string }>(
      `DELETE FROM ferry_push_devices WHERE (platform, token) IN (
         SELECT platform, token FROM ferry_push_devices
         WHERE user_id = $1 AND NOT (platform = $2 AND token = $3)
         ORDER BY created_at DESC, platform, token
         OFFSET $4)
       RETURNING platform, token`,
      [device.userId, device.platform, device.token, maxPerUser - 1],
    );
  });
}

/** Deletes a device (only the user's own when `userId` is given); returns whether there was one. */
export async function deleteDevice(
  db: Queryable,
  device: { platform: NativePushPlatform; token: string },
  userId?: string,
): Promise<boolean> {
  const rows = await db.query(
    userId === undefined
      ? 'DELETE FROM ferry_push_devices WHERE platform = $1 AND token = $2 RETURNING 1'
      : 'DELETE FROM ferry_push_devices WHERE platform = $1 AND token = $2 AND user_id = $3 RETURNING 1',
    userId === undefined
      ? [device.platform, device.token]
      : [device.platform, device.token, userId],
  );
  return rows.length > 0;
}

const CLAIM_SQL = prepared(`UPDATE ferry_push_devices SET last_sent_at = now()
     WHERE spaces && $1::text[]
       AND platform = ANY($3::text[])
       AND (last_sent_at IS NULL OR last_sent_at <= now() - $2::bigint * interval '1 millisecond')
     RETURNING platform, token, environment, user_id`);

/**
 * Claims the devices to wake about a commit in `spaces`: those of `platforms` (the ones the
 * server sends to) whose users can read one of the spaces and were not sent to within
 * `minIntervalMs`. Claiming stamps them in the same statement, so replicas never wake one
 * device twice in a window.
 */
export async function claimDevicesToNotify(
  db: Queryable,
  spaces: readonly string[],
  minIntervalMs: number,
  platforms: readonly NativePushPlatform[],
): Promise<PushDeviceRow[]> {
  const rows = await db.query<{
    platform: NativePushPlatform;
    token: string;
    environment: ApnsEnvironment | null;
    user_id: string;
  }>(CLAIM_SQL, [spaces, minIntervalMs, platforms]);
  return rows.map((r) => ({
    platform: r.platform,
    token: r.token,
    environment: r.environment ?? undefined,
    userId: r.user_id,
  }));
}
