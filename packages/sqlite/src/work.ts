/**
 * The store's SQL is written once, as generators that yield statements and receive their
 * rows: `runSync` answers them with a synchronous driver inside one call (so a whole commit
 * fits in a better-sqlite3 transaction), `runAsync` with an asynchronous one. Logic between
 * statements (the batch check, JSON parsing) is the same code either way.
 */
import type { AsyncSqlStatements, SqlRow, SqlValue, SyncSqlStatements } from './executor.ts';

export type Step =
  | { readonly kind: 'all' | 'run'; readonly sql: string; readonly params: readonly SqlValue[] }
  | { readonly kind: 'exec'; readonly sql: string };

/** A piece of store work: yields statements, receives their rows (none for run and exec). */
export type Work<T> = Generator<Step, T, SqlRow[]>;

const NO_ROWS: SqlRow[] = [];

export const all = (sql: string, params: readonly SqlValue[] = []): Step => ({
  kind: 'all',
  sql,
  params,
});
export const run = (sql: string, params: readonly SqlValue[] = []): Step => ({
  kind: 'run',
  sql,
  params,
});
export const exec = (sql: string): Step => ({ kind: 'exec', sql });

export function runSync<T>(db: SyncSqlStatements, work: Work<T>): T {
  let next = work.next();
  while (!next.done) {
    const step = next.value;
    let rows = NO_ROWS;
    if (step.kind === 'all') rows = db.all(step.sql, step.params);
    else if (step.kind === 'run') db.run(step.sql, step.params);
    else db.exec(step.sql);
    next = work.next(rows);
  }
  return next.value;
}

export async function runAsync<T>(db: AsyncSqlStatements, work: Work<T>): Promise<T> {
  let next = work.next();
  while (!next.done) {
    const step = next.value;
    let rows = NO_ROWS;
    if (step.kind === 'all') rows = await db.all(step.sql, step.params);
    else if (step.kind === 'run') await db.run(step.sql, step.params);
    else await db.exec(step.sql);
    next = work.next(rows);
  }
  return next.value;
}
