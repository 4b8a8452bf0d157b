/**
 * Pokes across replicas. Every commit NOTIFYs the database's channel in its own
 * transaction (storage/push.ts), so the notification exists exactly when the commit does;
 * each replica LISTENs and pokes its own event streams. Notifications arriving together are
 * merged into one publish per turn of the event loop. When the LISTEN connection drops and
 * comes back, notifications may have been missed, so every stream is poked: its client
 * pulls and catches up.
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
}

export function startReplicaPokes(options: ReplicaPokesOptions): Listener | undefined {
  const { database, hub, logger } = options;
  if (!database.listen || !database.notifyChannel) return undefined;
  let pendingSpaces = new Set<string>();
  let pendingAll = false;
  let pendingVersion = 0;
  let flushScheduled = false;

  const flush = () => {
    flushScheduled = false;
    if (pendingAll) hub.publishAll(pendingVersion);
    else hub.publish(pendingSpaces, pendingVersion);
    pendingSpaces = new Set();
    pendingAll = false;
    pendingVersion = 0;
  };

  return database.listen(database.notifyChannel, {
    onNotification(payload) {
      let message: { v?: unknown; s?: unknown };
      try {
        message = JSON.parse(payload);
      } catch {
        return;
      }
      if (typeof message.v !== 'number') return;
      pendingVersion = Math.max(pendingVersion, message.v);
      if (Array.isArray(message.s)) for (const space of message.s) pendingSpaces.add(String(space));
      else pendingAll = true;
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
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
