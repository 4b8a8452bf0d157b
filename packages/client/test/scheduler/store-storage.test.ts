/** The scheduler's state in the client's store: what each save writes, and what a load gives back. */
import type { JsonValue } from '@ferry/protocol';
import { describe, expect, it } from 'vitest';
import type { LocalState } from '../../src/local-state.ts';
import { createMemoryStore } from '../../src/memory-store.ts';
import { createMutex } from '../../src/mutex.ts';
import { EMPTY_SCHEDULE, type RunRecord, type SavedSchedule } from '../../src/scheduler/history.ts';
import {
  createStoreScheduleStorage,
  LEGACY_SCHEDULE_KEY,
  RECENT_RUNS_LIMIT,
  readSavedSchedule,
  SCHEDULE_CURRENT_KEY,
  SCHEDULE_RECENT_KEY,
  SCHEDULE_RUNS_KEY,
  SCHEDULE_STATE_KEY,
} from '../../src/scheduler/store-storage.ts';
import type { Store, StoreBatch } from '../../src/store.ts';

/** A memory store that notes the metadata keys of every commit. */
function recordingStore(): Store & { metaKeysWritten: string[][] } {
  const store = createMemoryStore();
  const metaKeysWritten: string[][] = [];
  return Object.assign(Object.create(store) as Store, {
    metaKeysWritten,
    commit(batch: StoreBatch) {
      metaKeysWritten.push(Object.keys(batch.setMeta ?? {}).sort());
      return store.commit(batch);
    },
  });
}

function storageOver(store: Store) {
  const ready = Promise.resolve({ lastSuccessAt: 1234 } as LocalState);
  return createStoreScheduleStorage({ store, mutex: createMutex(), ready });
}

function record(id: number, outcome: RunRecord['outcome']): RunRecord {
  return {
    id,
    triggers: ['manual'],
    startedAt: 1000 * id,
    endedAt: outcome === 'running' ? null : 1000 * id + 10,
    outcome,
    abortReason: null,
    pushed: id,
    pulled: 0,
    rejected: 0,
    bytesSent: 0,
    bytesReceived: 0,
    reset: false,
    error: null,
  };
}

const schedule = (runs: RunRecord[], nextRunId: number): SavedSchedule => ({
  ...EMPTY_SCHEDULE,
  incomplete: runs.at(-1)?.outcome === 'running',
  nextRunId,
  runs,
});

describe('the scheduler state in the store', () => {
  it('writes the history of finished runs only when it changed', async () => {
    const store = recordingStore();
    const storage = storageOver(store);
    const first = record(1, 'success');
    await storage.save(schedule([first, record(2, 'running')], 3));
    const second = record(2, 'success');
    await storage.save(schedule([first, second], 3));
    await storage.save(schedule([first, second, record(3, 'running')], 4));
    expect(store.metaKeysWritten).toEqual([
      // The first save writes everything, and removes the key of earlier versions.
      [
        SCHEDULE_CURRENT_KEY,
        LEGACY_SCHEDULE_KEY,
        SCHEDULE_RECENT_KEY,
        SCHEDULE_RUNS_KEY,
        SCHEDULE_STATE_KEY,
      ].sort(),
      // A run ended: it joins the recent runs, the whole history stays as written.
      [SCHEDULE_CURRENT_KEY, SCHEDULE_RECENT_KEY, SCHEDULE_STATE_KEY].sort(),
      // A run started: no history changed.
      [SCHEDULE_CURRENT_KEY, SCHEDULE_STATE_KEY].sort(),
    ]);
    expect(await store.getMeta(SCHEDULE_RUNS_KEY)).toEqual([first]);
    expect(await store.getMeta(SCHEDULE_RECENT_KEY)).toEqual([second]);
    expect(await store.getMeta(SCHEDULE_CURRENT_KEY)).toEqual(record(3, 'running'));
  });

  it('rewrites the whole history once the recent runs are full, and loads it in order', async () => {
    const store = recordingStore();
    const storage = storageOver(store);
    const historySize = 25;
    let runs: RunRecord[] = [];
    const runsWrites: number[] = [];
    for (let id = 1; id <= 40; id++) {
      runs = [...runs, record(id, 'running')].slice(-historySize);
      await storage.save(schedule(runs, id + 1));
      runs = [...runs.slice(0, -1), record(id, 'success')];
      await storage.save(schedule(runs, id + 1));
      if (store.metaKeysWritten.at(-1)?.includes(SCHEDULE_RUNS_KEY)) runsWrites.push(id);
    }
    // The first save wrote it at the start of run 1; then every RECENT_RUNS_LIMIT + 1 ends.
    const period = RECENT_RUNS_LIMIT + 1;
    expect(runsWrites).toEqual([period, 2 * period, 3 * period]);
    const recent = (await store.getMeta(SCHEDULE_RECENT_KEY)) as unknown as RunRecord[];
    expect(recent.map((r) => r.id)).toEqual(
      Array.from({ length: 40 - 3 * period }, (_, i) => 3 * period + 1 + i),
    );
    const loaded = await storageOver(store).load();
    // The whole history as written may reach further back; the scheduler trims on load.
    expect(loaded.saved.runs.slice(-historySize)).toEqual(runs);
    expect(loaded.saved.runs.map((r) => r.id)).toEqual(
      Array.from({ length: loaded.saved.runs.length }, (_, i) => 41 - loaded.saved.runs.length + i),
    );
  });

  it('starts the recent runs over after a restart', async () => {
    const store = createMemoryStore();
    const before = storageOver(store);
    await before.save(schedule([record(1, 'success')], 2));
    await before.save(schedule([record(1, 'success'), record(2, 'success')], 3));
    const after = storageOver(store);
    const { saved } = await after.load();
    await after.save({ ...saved, runs: [...saved.runs, record(3, 'success')] });
    expect(await store.getMeta(SCHEDULE_RECENT_KEY)).toEqual([]);
    expect((await readSavedSchedule(store)).runs.map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it('gives back what was saved, the run under way as interrupted', async () => {
    const store = createMemoryStore();
    const saved = schedule([record(1, 'failed'), record(2, 'success'), record(3, 'running')], 4);
    await storageOver(store).save({ ...saved, attempt: 2, backoffUntil: 99_000 });
    const loaded = await storageOver(store).load();
    expect(loaded.lastSuccessAt).toBe(1234);
    expect(loaded.saved).toEqual({
      ...saved,
      attempt: 2,
      backoffUntil: 99_000,
      incomplete: true,
      runs: [
        record(1, 'failed'),
        record(2, 'success'),
        { ...record(3, 'running'), outcome: 'interrupted' },
      ],
    });
  });

  it('no run under way: nothing is left under the current run key', async () => {
    const store = createMemoryStore();
    const storage = storageOver(store);
    await storage.save(schedule([record(1, 'running')], 2));
    await storage.save(schedule([record(1, 'success')], 2));
    expect(await store.getMeta(SCHEDULE_CURRENT_KEY)).toBeUndefined();
    expect((await readSavedSchedule(store)).runs).toEqual([record(1, 'success')]);
  });

  it('reads the single key of earlier versions, and moves it on the next save', async () => {
    const store = createMemoryStore();
    const legacy = schedule([record(1, 'success'), record(2, 'running')], 3);
    await store.commit({ setMeta: { [LEGACY_SCHEDULE_KEY]: legacy as unknown as JsonValue } });
    const storage = storageOver(store);
    const { saved } = await storage.load();
    expect(saved.runs.map((r) => [r.id, r.outcome])).toEqual([
      [1, 'success'],
      [2, 'interrupted'],
    ]);
    expect(saved.nextRunId).toBe(3);
    await storage.save(saved);
    expect(await store.getMeta(LEGACY_SCHEDULE_KEY)).toBeUndefined();
    expect((await readSavedSchedule(store)).runs).toEqual(saved.runs);
  });

  it('an empty store gives the defaults', async () => {
    expect(await readSavedSchedule(createMemoryStore())).toEqual({ ...EMPTY_SCHEDULE, runs: [] });
  });
});
