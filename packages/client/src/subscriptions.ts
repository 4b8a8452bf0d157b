/**
 * Live queries. A subscription keeps the collection's rows it last read. A change that
 * names its records (`ChangeEvent.records`: a local write, a small pull) re-reads only those
 * rows and updates the kept list in place, so a write costs the same however large the
 * collection; any other change reads the whole collection again. Changes arriving while a
 * read is under way fold into the next one, so a burst of changes never queues a burst of
 * reads, and the last rows delivered are always read after the last change.
 *
 * The rows handed to listeners are frozen and shared between deliveries: a row that did not
 * change is the same object as last time, which also lets a UI skip re-rendering it.
 */
import { type ChangeEvent, changeAffects } from './changes.ts';
import type { Unsubscribe } from './emitter.ts';
import { compareKeys, type Row } from './overlay.ts';

export interface SubscriptionTarget {
  space: string;
  collection: string;
  /** Every row of the collection, in ascending key order. */
  read(): Promise<Row[]>;
  /** One row again (undefined: it does not exist); without it every change reads everything. */
  readRow?(key: string): Promise<Row | undefined>;
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
  /** The whole collection must be read again. */
  stale: boolean;
  /** Keys to read again, when the whole collection need not be. */
  dirty: Set<string>;
  reading: boolean;
  /** The rows last read, frozen, in key order; undefined before the first read. */
  rows: Row[] | undefined;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** The index of `key` in rows sorted by key, or where it would go. */
function position(rows: readonly Row[], key: string): number {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareKeys(rows[middle]!.key, key) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** Replaces, inserts or (when `row` is undefined) removes the row of `key` in `rows`. */
function withRow(rows: Row[], key: string, row: Row | undefined): void {
  const at = position(rows, key);
  const present = rows[at]?.key === key;
  if (row === undefined) {
    if (present) rows.splice(at, 1);
  } else if (present) rows[at] = row;
  else rows.splice(at, 0, row);
}

export function createSubscriptions(
  onError: (error: unknown, stage: 'read' | 'listener') => void,
): Subscriptions {
  const subscriptions = new Set<Subscription>();

  /** Brings the kept rows up to date; false if the read failed. */
  const update = async (sub: Subscription): Promise<boolean> => {
    try {
      if (sub.stale || sub.rows === undefined || sub.readRow === undefined) {
        sub.stale = false;
        sub.dirty.clear();
        // The rows are frozen, not the array: it is kept and updated in place below.
        sub.rows = (await sub.read()).map(deepFreeze);
        return true;
      }
      const keys = [...sub.dirty];
      sub.dirty.clear();
      for (const key of keys) withRow(sub.rows, key, deepFreeze(await sub.readRow(key)));
      return true;
    } catch (error) {
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
      for (const sub of subscriptions) {
        if (!changeAffects(event, sub.space, sub.collection)) continue;
        invalidate(sub, event);
        void refresh(sub);
      }
    },
    clear() {
      for (const sub of subscriptions) sub.active = false;
      subscriptions.clear();
    },
  };
}
