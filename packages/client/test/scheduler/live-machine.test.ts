/**
 * The live stream's machine, cell by cell. `EXPECTED` is typed as a full transition table,
 * so a new state or event does not compile until every one of its transitions is written
 * down here as well; driving a real machine holds the two tables equal.
 */
import { describe, expect, it } from 'vitest';
import {
  createLiveMachine,
  type LiveEvent,
  type LiveState,
  type LiveTransitionTable,
} from '../../src/scheduler/live-machine.ts';

const _ = null;

// biome-ignore format: one row per state reads as a grid
const EXPECTED: LiveTransitionTable = {
  off:          { start: 'connecting', open: _,      renew: _,            lose: _,              stop: _ },
  connecting:   { start: _,            open: 'open', renew: _,            lose: 'reconnecting', stop: 'off' },
  open:         { start: _,            open: _,      renew: 'connecting', lose: 'reconnecting', stop: 'off' },
  reconnecting: { start: _,            open: 'open', renew: _,            lose: _,              stop: 'off' },
};

const STATES = Object.keys(EXPECTED) as LiveState[];
const EVENTS = Object.keys(EXPECTED.off) as LiveEvent[];

/** A machine put in `state` by the shortest path of events from off, found from the table. */
function machineIn(state: LiveState) {
  const paths = new Map<LiveState, LiveEvent[]>([['off', []]]);
  const queue: LiveState[] = ['off'];
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
  if (path === undefined) throw new Error(`${state} cannot be reached from off`);
  const machine = createLiveMachine();
  for (const event of path) expect(machine.send(event)).toBe(true);
  expect(machine.state).toBe(state);
  return machine;
}

describe('live stream machine', () => {
  for (const state of STATES) {
    for (const event of EVENTS) {
      const expected = EXPECTED[state][event];
      it(`${state} + ${event} → ${expected ?? 'ignored'}`, () => {
        const machine = machineIn(state);
        expect(machine.send(event)).toBe(expected !== null);
        expect(machine.state).toBe(expected ?? state);
      });
    }
  }

  it('reaches every state from off, and stops from every state but off', () => {
    for (const state of STATES) {
      const machine = machineIn(state);
      expect(machine.send('stop')).toBe(state !== 'off');
      expect(machine.state).toBe('off');
    }
  });

  it('enters open only when the server answered, and reconnecting only on a loss', () => {
    for (const state of STATES) {
      for (const event of EVENTS) {
        const to = EXPECTED[state][event];
        if (to === 'open' && state !== 'open') expect(event).toBe('open');
        if (to === 'reconnecting' && state !== 'reconnecting') expect(event).toBe('lose');
      }
    }
  });

  it('a routine reconnect (renew) is not a loss', () => {
    const machine = machineIn('open');
    machine.send('renew');
    expect(machine.state).toBe('connecting');
  });
});
