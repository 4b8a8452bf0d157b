/**
 * PGlite has no autovacuum, so the database vacuums after write transactions: once idle,
 * or at the latest a while after the first write under writes that never pause; never after
 * close. The schedule runs on a simulated clock; one test waits for a real VACUUM on PGlite
 * and sees its effect: an index-only count that reads no table page.
 */
import { describe, expect, it } from 'vitest';
import { scheduleVacuum, type VacuumTimers } from '../src/db/pglite-vacuum.ts';
import { createPGliteDatabase } from '../src/index.ts';

/** Timers on a clock that moves only when told. */
function simulatedTimers() {
  let now = 0;
  const due = new Map<number, { at: number; run: () => void }>();
  let nextId = 1;
  const timers: VacuumTimers = {
    now: () => now,
    setTimeout(run, ms) {
      const id = nextId++;
      due.set(id, { at: now + ms, run });
      return id;
    },
    clearTimeout(id) {
      due.delete(id as number);
    },
  };
  return {
    timers,
    pending: () => due.size,
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const next = [...due.entries()].sort((a, b) => a[1].at - b[1].at)[0];
        if (next === undefined || next[1].at > until) break;
        now = next[1].at;
        due.delete(next[0]);
        next[1].run();
      }
      now = until;
    },
  };
}

describe('the vacuum schedule', () => {
  it('vacuums once the writes have paused for the idle time, once per burst', () => {
    const clock = simulatedTimers();
    let runs = 0;
    const schedule = scheduleVacuum(
      async () => {
        runs++;
      },
      { idleMs: 2000, maxDelayMs: 60_000, minIntervalMs: 0, timers: clock.timers },
    );
    schedule.noteWrite();
    clock.advance(1500);
    schedule.noteWrite();
    clock.advance(1500);
    expect(runs).toBe(0);
    clock.advance(500);
    expect(runs).toBe(1);
    clock.advance(10_000);
    expect(runs).toBe(1);
    expect(clock.pending()).toBe(0);
    schedule.noteWrite();
    clock.advance(2000);
    expect(runs).toBe(2);
  });

  it('vacuums by the deadline under writes that never pause', () => {
    const clock = simulatedTimers();
    const at: number[] = [];
    const schedule = scheduleVacuum(
      async () => {
        at.push(clock.timers.now());
      },
      { idleMs: 2000, maxDelayMs: 10_000, minIntervalMs: 0, timers: clock.timers },
    );
    for (let t = 0; t < 25_000; t += 500) {
      schedule.noteWrite();
      clock.advance(500);
    }
    expect(at).toEqual([10_000, 20_000]);
  });

  it('rests for the minimum interval after a vacuum, however the writes come', () => {
    const clock = simulatedTimers();
    const at: number[] = [];
    const schedule = scheduleVacuum(
      async () => {
        at.push(clock.timers.now());
      },
      { idleMs: 2000, maxDelayMs: 10_000, minIntervalMs: 30_000, timers: clock.timers },
    );
    // A write now and then, each followed by a pause: the first is vacuumed after the pause,
    // the next ones only once 30 s have passed since.
    for (const writeAt of [0, 5000, 12_000, 40_000]) {
      clock.advance(writeAt - clock.timers.now());
      schedule.noteWrite();
    }
    clock.advance(60_000);
    expect(at).toEqual([2000, 32_000, 62_000]);
  });

  it('never vacuums after close, and close waits for one in progress', async () => {
    const clock = simulatedTimers();
    let finish: () => void = () => {};
    let runs = 0;
    const schedule = scheduleVacuum(
      () => {
        runs++;
        return new Promise<void>((done) => {
          finish = done;
        });
      },
      { idleMs: 100, minIntervalMs: 0, timers: clock.timers },
    );
    schedule.noteWrite();
    clock.advance(100);
    expect(runs).toBe(1);
    let closed = false;
    const closing = schedule.close().then(() => {
      closed = true;
    });
    await Promise.resolve();
    expect(closed).toBe(false);
    finish();
    await closing;
    schedule.noteWrite();
    clock.advance(1000);
    expect(runs).toBe(1);
    expect(clock.pending()).toBe(0);
  });

  it('keeps scheduling after a failed vacuum', async () => {
    const clock = simulatedTimers();
    let runs = 0;
    const schedule = scheduleVacuum(
      async () => {
        runs++;
        throw new Error('disk full');
      },
      { idleMs: 100, minIntervalMs: 0, timers: clock.timers },
    );
    schedule.noteWrite();
    clock.advance(100);
    await Promise.resolve();
    schedule.noteWrite();
    clock.advance(100);
    expect(runs).toBe(2);
    await schedule.close();
  });
});

describe('PGlite vacuums after writes', () => {
  it('marks the pages of a new table all-visible, so an index-only count reads none of them', async () => {
    const database = await createPGliteDatabase();
    try {
      await database.exec('CREATE TABLE probe (id int PRIMARY KEY, note text)');
      await database.transaction((tx) =>
        tx.query("INSERT INTO probe SELECT g, repeat('x', 500) FROM generate_series(1, 5000) g"),
      );
      // Real timers: the point is that the database does this by itself after the write.
      for (;;) {
        const [row] = await database.query<{ last_vacuum: Date | null }>(
          "SELECT last_vacuum FROM pg_stat_user_tables WHERE relname = 'probe'",
        );
        if (row?.last_vacuum) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await database.exec('SET enable_seqscan = off; SET enable_bitmapscan = off');
      const plan = await database.query<{ 'QUERY PLAN': string }>(
        'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT count(*) FROM probe WHERE id > 0',
      );
      const text = plan.map((line) => line['QUERY PLAN']).join('\n');
      expect(text).toContain('Index Only Scan');
      expect(text).toMatch(/Heap Fetches: 0\b/);
    } finally {
      await database.close();
    }
  }, 30_000);
});
