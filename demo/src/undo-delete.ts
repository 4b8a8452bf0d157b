/**
 * Undo for deletes: the last deleted row is kept for a few seconds, and undoing writes the
 * same record again under the same key (a put, so the other devices see it come back).
 */
import type { Collection, Row } from '@ferry/client';
import { useCallback, useEffect, useState } from 'react';
import type { Item } from './ferry-options.ts';

/** Long enough to notice and reach the button; short enough not to linger. */
export const UNDO_MS = 6000;

export interface UndoDelete {
  /** The row just deleted, while it can still be restored. */
  deleted: Row<Item> | null;
  remove(row: Row<Item>): Promise<void>;
  undo(): Promise<void>;
  forget(): void;
}

export function useUndoDelete(items: Collection<Item>): UndoDelete {
  const [deleted, setDeleted] = useState<Row<Item> | null>(null);
  useEffect(() => {
    if (deleted === null) return;
    const timer = setTimeout(() => setDeleted(null), UNDO_MS);
    return () => clearTimeout(timer);
  }, [deleted]);
  const remove = useCallback(
    (row: Row<Item>) => {
      setDeleted(row);
      return items.delete(row.key);
    },
    [items],
  );
  const undo = useCallback(() => {
    if (deleted === null) return Promise.resolve();
    setDeleted(null);
    return items.put(deleted.key, deleted.value);
  }, [deleted, items]);
  const forget = useCallback(() => setDeleted(null), []);
  return { deleted, remove, undo, forget };
}
