/**
 * A child process for the crash test: commits rounds to a SQLite store as fast as it can
 * until it is killed. Round n rewrites all the records with round n, adds outbox
 * entry n and sets meta `round` to n, in one commit, then prints "n" once the commit
 * returned. A torn commit would leave records of two rounds, or an outbox and a meta that
 * disagree.
 */
import { openSqliteStore } from '../../src/sqlite-store.ts';

const [path, records] = process.argv.slice(2);
if (path === undefined || records === undefined) {
  throw new Error('usage: commit-forever.ts <db> <records per round>');
}
const ROUND_RECORDS = Number(records);
const store = openSqliteStore(path);
let round = ((await store.getMeta('round')) as number | undefined) ?? 0;
const padding = 'x'.repeat(500);
for (;;) {
  round += 1;
  await store.commit({
    putRecords: Array.from({ length: ROUND_RECORDS }, (_, i) => ({
      space: 's',
      collection: 'c',
      key: `k${i}`,
      version: round,
      value: { round, padding },
    })),
    addOutbox: [
      {
        id: round as never,
        space: 's' as never,
        collection: 'c',
        key: 'k0',
        op: 'put',
        value: { round },
      },
    ],
    setMeta: { round },
  });
  process.stdout.write(`${round}\n`);
}
