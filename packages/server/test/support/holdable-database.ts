/**
 * A database whose transactions can be held back, so tests can fill the group-commit queue
 * and see what it does with the requests waiting in it.
 */
import type { Database } from '@ferry/server';
import type { TestDatabaseKind } from './databases.ts';

/** A database whose transactions can be held back, to keep the queue full. */
export function holdableKind(kind: TestDatabaseKind) {
  let held: Promise<void> | undefined;
  let release = () => {};
  let entered = () => {};
  const control = {
    /** Holds the next transactions; resolves once one of them is waiting. */
    hold(): Promise<void> {
      held = new Promise((resolve) => (release = resolve));
      return new Promise((resolve) => (entered = resolve));
    },
    release(): void {
      held = undefined;
      release();
    },
  };
  const holdable: TestDatabaseKind = {
    name: kind.name,
    async create() {
      const created = await kind.create();
      const inner = created.database;
      const database: Database = Object.create(inner);
      database.transaction = async (work) => {
        if (held) {
          entered();
          await held;
        }
        return inner.transaction(work);
      };
      return { database, dispose: created.dispose };
    },
  };
  return { holdable, control };
}

/** The mutations waiting in the server's commit queue, from its metrics. */
export async function queuedMutations(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('ferry_push_queue_mutations '));
  return Number(line?.split(' ')[1]);
}
