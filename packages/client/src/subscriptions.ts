/**
 * Live queries. Each subscription keeps its query's rows (live-query.ts). A change that
 * names its records (`ChangeEvent.records`: a local write, a small pull, a rollback)
 * re-evaluates only those rows; any other change runs the query again. Changes arriving
 * while an update is under way fold into the next one, so a burst of commits never queues a
 * burst of reads, the listener is told at most once per commit, and the last rows delivered
 * are always read after the last change.
 *
 * The rows handed to listeners are frozen and shared between deliveries: a row that did not
 * change is the same object as last time, which also lets a UI skip re-rendering it.
 *
 * Being frozen, rows can be shared between subscriptions too. The last rows delivered for a
 * query (named by `shareKey`) are kept until the next change, so a subscription to a query
 * just shown — a screen opened again, a second component on the same query — gets its first
 * rows without a read. Any change drops them all.
 */
import { type ChangeEvent, changeAffects } from './changes.ts';
import type { Unsubscribe } from './emitter.ts';
import type { Row } from './overlay.ts';

export interface SubscriptionTarget {
  space: string;
  collection: string;
  /** Runs the query from scratch and returns its rows. */
  read(): Promise<readonly Row[]>;
  /** Updates the rows after these keys changed; without it every change reads again. */
  update?(keys: readonly string[]): Promise<readonly Row[]>;
  /**
   * Names the query's result, the same for every subscription whose query selects the same
   * rows in the same order; absent when rows cannot be shared (a filter function).
   */
  shareKey?: string;
  /** Takes rows another subscription read for the same `shareKey` as its own. */
  adopt?(rows: readonly Row[]): void;
  /** Gets the subscription's own kept rows: copy them before handing them to anyone who may change the array. */
  listener(rows: readonly Row[]): void;
}

export interface Subscriptions {
  /** Adds a subscription; its first rows are delivered asynchronously. */
  add(target: SubscriptionTarget): Unsubscribe;
  notify(event: ChangeEvent): void;
  /** Drops every subscription. */
  clear(): void;
}

interface Subscription extends SubscriptionTarget {
  active: boolean;
  /** The query must run again. */
  stale: boolean;
  /** Keys to re-evaluate, when the query need not run again. */
  dirty: Set<string>;
  reading: boolean;
  /** The rows last read; undefined before the first read. */
  rows: readonly Row[] | undefined;
}

/** How many queries' rows are kept for sharing at most (the least recently delivered go). */
const SHARED_QUERIES = 32;

export function createSubscriptions(
  onError: (error: unknown, stage: 'read' | 'listener') => void,
): Subscriptions {
  const subscriptions = new Set<Subscription>();
  /** The rows last delivered for each shared query since the last change. */
  const shared = new Map<string, readonly Row[]>();
  /** Counts changes, so that rows read across one are not kept as current. */
  let changes = 0;
  const share = (sub: Subscription, readAt: number) => {
    if (sub.shareKey === undefined || sub.rows === undefined || readAt !== changes) return;
    shared.delete(sub.shareKey);
    shared.set(sub.shareKey, sub.rows);
    if (shared.size > SHARED_QUERIES) shared.delete(shared.keys().next().value!);
  };

  /** Brings the kept rows up to date; false if the read failed. */
  const update = async (sub: Subscription): Promise<boolean> => {
    const readAt = changes;
    try {
      if (sub.stale || sub.rows === undefined || sub.update === undefined) {
        sub.stale = false;
        sub.dirty.clear();
        const known = sub.shareKey === undefined ? undefined : shared.get(sub.shareKey);
        if (known !== undefined && sub.adopt !== undefined) {
          sub.adopt(known);
          sub.rows = known;
          return true;
        }
        sub.rows = await sub.read();
        share(sub, readAt);
        return true;
      }
      const keys = [...sub.dirty];
      sub.dirty.clear();
      sub.rows = await sub.update(keys);
      share(sub, readAt);
      return true;
    } catch (error) {
      // The kept rows may be half updated: the next change runs the query again.
      sub.rows = undefined;
      onError(error, 'read');
      return false;
    }
  };

  const refresh = async (sub: Subscription) => {
    if (sub.reading) return;
    sub.reading = true;
    try {
      while ((sub.stale || sub.dirty.size > 0) && sub.active) {
        if (!(await update(sub)) || !sub.active) continue;
        try {
          sub.listener(sub.rows ?? []);
        } catch (error) {
          onError(error, 'listener');
        }
      }
    } finally {
      sub.reading = false;
    }
  };

  const invalidate = (sub: Subscription, event: ChangeEvent) => {
    const whole =
      event.records === undefined || event.spaces === 'all' || event.spaces.includes(sub.space);
    if (whole) {
      sub.stale = true;
      return;
    }
    for (const record of event.records ?? []) {
      if (record.space === sub.space && record.collection === sub.collection) {
        sub.dirty.add(record.key);
      }
    }
  };

  return {
    add(target) {
      const sub: Subscription = {
        ...target,
        active: true,
        stale: true,
        dirty: new Set(),
        reading: false,
        rows: undefined,
      };
      subscriptions.add(sub);
      void refresh(sub);
      return () => {
        sub.active = false;
        subscriptions.delete(sub);
      };
    },
    notify(event) {
      changes++;
      shared.clear();
      for (const sub of subscriptions) {
        if (!changeAffects(event, sub.space, sub.collection)) continue;
        invalidate(sub, event);
        void refresh(sub);
      }
    },
    clear() {
      for (const sub of subscriptions) sub.active = false;
      subscriptions.clear();
      shared.clear();
    },
  };
}
