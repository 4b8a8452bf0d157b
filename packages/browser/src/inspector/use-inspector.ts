/**
 * The inspector's data while it is open: the snapshot, taken again every `refreshMs` and
 * whenever the status changes (at most one request in flight, one more queued). Records
 * are counted on the first take and every `COUNT_EVERY`th after, since counting reads the
 * collections; the takes between keep the last counts.
 */
import type { FerryClient, InspectorSnapshot } from '@ferry/client';
import { useEffect, useState } from 'react';

export type InspectorSource = Pick<FerryClient, 'inspect' | 'getStatus' | 'subscribeStatus'>;

/** Takes between two counts of the records. */
export const COUNT_EVERY = 10;

export interface InspectorData {
  snapshot: InspectorSnapshot | undefined;
  /** Why the last take failed (the client closed, no leader answered…), else undefined. */
  error: string | undefined;
}

export function useInspectorSnapshot(client: InspectorSource, refreshMs: number): InspectorData {
  const [data, setData] = useState<InspectorData>({ snapshot: undefined, error: undefined });
  useEffect(() => {
    let stopped = false;
    let taken = 0;
    let inFlight = false;
    let again = false;
    const take = async (): Promise<void> => {
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
      const countRecords = taken % COUNT_EVERY === 0;
      taken += 1;
      try {
        const next = await client.inspect({ countRecords });
        if (stopped) return;
        setData((previous) => ({
          snapshot: countRecords ? next : keepCounts(next, previous.snapshot),
          error: undefined,
        }));
      } catch (error) {
        if (!stopped) {
          const message = error instanceof Error ? error.message : String(error);
          setData((previous) => ({ ...previous, error: message }));
        }
      } finally {
        inFlight = false;
        if (again && !stopped) {
          again = false;
          void take();
        }
      }
    };
    void take();
    const timer = setInterval(() => void take(), refreshMs);
    let unsubscribe = () => {};
    try {
      unsubscribe = client.subscribeStatus(() => void take());
    } catch {
      // A closed client publishes nothing more; the timer shows its last state.
    }
    return () => {
      stopped = true;
      clearInterval(timer);
      unsubscribe();
    };
  }, [client, refreshMs]);
  return data;
}

function keepCounts(
  next: InspectorSnapshot,
  previous: InspectorSnapshot | undefined,
): InspectorSnapshot {
  if (next.store.collections !== null) return next;
  return { ...next, store: { ...next.store, collections: previous?.store.collections ?? null } };
}
