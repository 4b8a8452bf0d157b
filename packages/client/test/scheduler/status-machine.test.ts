/**
 * The status machine, cell by cell. `EXPECTED` is typed as a full transition table, so a
 * new state or event does not compile until every one of its transitions is written
 * down here as well: the table in the source and this one are the same specification
 * written twice, and this test holds them equal by driving a real machine.
 */
import { describe, expect, it } from 'vitest';
import {
  createStatusMachine,
  type SchedulerEvent,
  type SchedulerState,
  type TransitionTable,
} from '../../src/scheduler/status-machine.ts';

const _ = null;

// biome-ignore format: one row per state reads as a grid
const EXPECTED: TransitionTable = {
  idle:          { 'start-run': 'syncing', succeed: _,      abort: _,      'fail-retryable': _,             'fail-fatal': _,       'back-off': 'backing-off', 'backoff-elapsed': _,      'lose-conditions': 'waiting', 'regain-conditions': _,      close: 'stopped' },
  syncing:       { 'start-run': _,         succeed: 'idle', abort: 'idle', 'fail-retryable': 'backing-off', 'fail-fatal': 'error', 'back-off': _,             'backoff-elapsed': _,      'lose-conditions': _,         'regain-conditions': _,      close: 'stopped' },
  waiting:       { 'start-run': _,         succeed: _,      abort: _,      'fail-retryable': _,             'fail-fatal': _,       'back-off': _,             'backoff-elapsed': _,      'lose-conditions': _,         'regain-conditions': 'idle', close: 'stopped' },
  'backing-off': { 'start-run': 'syncing', succeed: _,      abort: _,      'fail-retryable': _,             'fail-fatal': _,       'back-off': _,             'backoff-elapsed': 'idle', 'lose-conditions': 'waiting', 'regain-conditions': _,      close: 'stopped' },
  error:         { 'start-run': 'syncing', succeed: _,      abort: _,      'fail-retryable': _,             'fail-fatal': _,       'back-off': _,             'backoff-elapsed': _,      'lose-conditions': _,         'regain-conditions': _,      close: 'stopped' },
  stopped:       { 'start-run': _,         succeed: _,      abort: _,      'fail-retryable': _,             'fail-fatal': _,       'back-off': _,             'backoff-elapsed': _,      'lose-conditions': _,         'regain-conditions': _,      close: _ },
};

const STATES = Object.keys(EXPECTED) as SchedulerState[];
const EVENTS = Object.keys(EXPECTED.idle) as SchedulerEvent[];

/** A machine put in `state` by a path of events from idle, found from the table itself. */
function machineIn(state: SchedulerState) {
  const paths = new Map<SchedulerState, SchedulerEvent[]>([['idle', []]]);
  const queue: SchedulerState[] = ['idle'];
  while (queue.length > 0) {
    const from = queue.shift()!;
    for (const event of EVENTS) {
      const to = EXPECTED[from][event];
      if (to !== null && !paths.has(to)) {
        paths.set(to, [...paths.get(from)!, event]);
        queue.push(to);
      }
    }
  }
  const path = paths.get(state);
  if (path === undefined) throw new Error(`${state} cannot be reached from idle`);
  const machine = createStatusMachine();
  for (const event of path) expect(machine.send(event)).toBe(true);
  expect(machine.state).toBe(state);
  return machine;
}

describe('status machine', () => {
  for (const state of STATES) {
    for (const event of EVENTS) {
      const expected = EXPECTED[state][event];
      it(`${state} + ${event} → ${expected ?? 'ignored'}`, () => {
        const machine = machineIn(state);
        expect(machine.can(event)).toBe(expected !== null);
        expect(machine.send(event)).toBe(expected !== null);
        expect(machine.state).toBe(expected ?? state);
      });
    }
  }

  it('reaches every state from idle, and stops from every state but stopped', () => {
    for (const state of STATES) {
      const machine = machineIn(state);
      expect(machine.send('close')).toBe(state !== 'stopped');
      expect(machine.state).toBe('stopped');
    }
  });

  it('enters syncing only by start-run, and leaves it only when the run ends or on close', () => {
    for (const state of STATES) {
      for (const event of EVENTS) {
        const to = EXPECTED[state][event];
        if (to === 'syncing') expect(event).toBe('start-run');
        if (state === 'syncing' && to !== null) {
          expect(['succeed', 'abort', 'fail-retryable', 'fail-fatal', 'close']).toContain(event);
        }
      }
    }
  });
});
