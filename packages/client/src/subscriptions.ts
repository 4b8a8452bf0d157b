/**
 * Live queries. Each subscription re-reads its collection after every change that may
 * affect it. Changes arriving while a read is under way fold into one more read, so a
 * burst of changes never queues a burst of reads, and the last rows delivered are always
 * read after the last change.
 */
import { type ChangeEvent, changeAffects } from './changes.ts';
import type { Unsubscribe } from './emitter.ts';
import type { Row } from './overlay.ts';

export interface SubscriptionTarget {
  space: string;
  collection: string;
  read(): Promise<Row[]>;
  listener(rows: Row[]): void;
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
  stale: boolean;
  reading: boolean;
}

export function createSubscriptions(
  onError: (error: unknown, stage: 'read' | 'listener') => void,
): Subscriptions {
  const subscriptions = new Set<Subscription>();

  const refresh = async (sub: Subscription) => {
    sub.stale = true;
    if (sub.reading) return;
    sub.reading = true;
    try {
      while (sub.stale && sub.active) {
        sub.stale = false;
        let rows: Row[];
        try {
          rows = await sub.read();
        } catch (error) {
          onError(error, 'read');
          continue;
        }
        if (!sub.active) return;
        try {
          sub.listener(rows);
        } catch (error) {
          onError(error, 'listener');
        }
      }
    } finally {
      sub.reading = false;
    }
  };

  return {
    add(target) {
      const sub: Subscription = { ...target, active: true, stale: false, reading: false };
      subscriptions.add(sub);
      void refresh(sub);
      return () => {
        sub.active = false;
        subscriptions.delete(sub);
      };
    },
    notify(event) {
      for (const sub of subscriptions) {
        if (changeAffects(event, sub.space, sub.collection)) void refresh(sub);
      }
    },
    clear() {
      for (const sub of subscriptions) sub.active = false;
      subscriptions.clear();
    },
  };
}
