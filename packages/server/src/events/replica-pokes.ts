/**
 * Pokes across replicas. Every commit NOTIFYs the database's channel in its own
 * transaction (storage/commit-batch.ts), so the notification exists exactly when the commit does;
 * each replica LISTENs and pokes its own event streams. Notifications arriving together are
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

export interface ReplicaPokesOptions {
  database: Database;
  hub: PokeHub;
  logger: Logger;
  /** Reads the committed head version, to poke with after a reconnect. */
  readHeadVersion: () => Promise<number>;
  onReconnect?: () => void;
  /** The id this replica puts in its own notifications. */
  replicaId?: string;
  /** How long its own notifications are held back; default 1000 ms. */
  ownNotificationDelayMs?: number;
}

export function startReplicaPokes(options: ReplicaPokesOptions): Listener | undefined {
  const { database, hub, logger } = options;
  if (!database.listen || !database.notifyChannel) return undefined;
  let pendingSpaces = new Set<string>();
  let pendingAll = false;
  let pendingVersion = 0;
  let flushScheduled = false;
  const ownDelayMs = options.ownNotificationDelayMs ?? 1000;

  const flush = () => {
    flushScheduled = false;
    if (pendingAll) hub.publishAll(pendingVersion);
    else hub.publish(pendingSpaces, pendingVersion);
    pendingSpaces = new Set();
    pendingAll = false;
    pendingVersion = 0;
  };

  const add = (version: number, spaces: string[] | undefined) => {
    pendingVersion = Math.max(pendingVersion, version);
    if (spaces) for (const space of spaces) pendingSpaces.add(space);
    else pendingAll = true;
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  };

  return database.listen(database.notifyChannel, {
    onNotification(payload) {
      let message: { v?: unknown; s?: unknown; r?: unknown };
      try {
        message = JSON.parse(payload);
      } catch {
        return;
      }
      if (typeof message.v !== 'number') return;
      const version = message.v;
      const spaces = Array.isArray(message.s) ? message.s.map(String) : undefined;
      if (options.replicaId !== undefined && message.r === options.replicaId) {
        setTimeout(() => add(version, spaces), ownDelayMs).unref?.();
      } else {
        add(version, spaces);
      }
    },
    onConnected(first) {
      if (first) return;
      logger.info({}, 'commit notifications reconnected; poking every event stream');
      options.onReconnect?.();
      options
        .readHeadVersion()
        .then((version) => hub.publishAll(version))
        .catch(() => hub.publishAll(hub.headVersion));
    },
    onDisconnected(error) {
      logger.warn({ err: error }, 'lost the commit-notification connection; reconnecting');
    },
  });
}
