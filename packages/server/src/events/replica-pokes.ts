/**
 * Pokes across replicas. Every commit NOTIFYs the database's channel in its own
 * transaction (storage/commit-batch.ts), so the notification exists exactly when the commit does;
 * each replica LISTENs and pokes its own event streams. A notification carries the commit's
 * highest version (`m`), its spaces, and the watermark its writer read (`v`, safe to read
 * up to once the commit is seen): the replica learns the watermark and pokes for the commit
 * once a watermark covers it (events/visibility.ts). Notifications arriving together are
 * merged into one publish per turn of the event loop.
 *
 * A replica hears its own commits too. It has poked its streams for them already, right
 * after they committed, with pokes that may carry their changes; a plain poke for the same
 * version arriving first would take that poke's place. So its own notifications are held
 * back for a while and then published, for the rare commit whose outcome the replica never
 * learnt (its connection failed during COMMIT); a stream drops a poke it already had.
 *
 * When the LISTEN connection drops and comes back, notifications may have been missed, so
 * every stream is poked: its client pulls and catches up.
 */
import type { Database, Listener } from '../db/driver.ts';
import type { Logger } from '../logger.ts';
import type { PokeHub } from './hub.ts';
import type { VisibilityGate } from './visibility.ts';

export interface ReplicaPokesOptions {
  database: Database;
  hub: PokeHub;
  logger: Logger;
  /** Holds the watermark, and the pokes of commits above it. */
  visibility: VisibilityGate;
  onReconnect?: () => void;
  /** The id this replica puts in its own notifications. */
  replicaId?: string;
  /** How long its own notifications are held back; default 1000 ms. */
  ownNotificationDelayMs?: number;
}

export function startReplicaPokes(options: ReplicaPokesOptions): Listener | undefined {
  const { database, hub, logger } = options;
  if (!database.listen || !database.notifyChannel) return undefined;
  let pending: { spaces: Set<string> | undefined; version: number; watermark: number } | undefined;
  const ownDelayMs = options.ownNotificationDelayMs ?? 1000;

  const flush = () => {
    const merged = pending!;
    pending = undefined;
    options.visibility.committed({ ...merged, own: false });
  };

  const add = (version: number, spaces: string[] | undefined, watermark: number) => {
    if (!pending) {
      pending = { spaces: new Set(), version: 0, watermark: 0 };
      setImmediate(flush);
    }
    pending.version = Math.max(pending.version, version);
    pending.watermark = Math.max(pending.watermark, watermark);
    if (!spaces) pending.spaces = undefined;
    else if (pending.spaces) for (const space of spaces) pending.spaces.add(space);
  };

  return database.listen(database.notifyChannel, {
    onNotification(payload) {
      let message: { v?: unknown; m?: unknown; s?: unknown; r?: unknown };
      try {
        message = JSON.parse(payload);
      } catch {
        return;
      }
      if (typeof message.v !== 'number' || typeof message.m !== 'number') return;
      const { v: watermark, m: version } = message;
      const spaces = Array.isArray(message.s) ? message.s.map(String) : undefined;
      if (options.replicaId !== undefined && message.r === options.replicaId) {
        setTimeout(() => add(version, spaces, watermark), ownDelayMs).unref?.();
      } else {
        add(version, spaces, watermark);
      }
    },
    onConnected(first) {
      if (first) return;
      logger.info({}, 'commit notifications reconnected; poking every event stream');
      options.onReconnect?.();
      options.visibility
        .refresh()
        .catch(() => options.visibility.version)
        .then((version) => hub.publishAll(version));
    },
    onDisconnected(error) {
      logger.warn({ err: error }, 'lost the commit-notification connection; reconnecting');
    },
  });
}
