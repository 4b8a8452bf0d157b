/**
 * The status model: the `phase` a person is shown, for every combination of what it is
 * made of, the error codes and phrases, and the holder that derives and publishes it.
 */
import { describe, expect, it } from 'vitest';
import { FERRY_ERROR_CODES, userMessageFor } from '../src/error-codes.ts';
import {
  FerryClosedError,
  FerryConditionsError,
  FerryConfigError,
  FerryHttpError,
  FerryNetworkError,
  FerryProtocolError,
  FerryTimeoutError,
  FerryTokenError,
  FerryValidationError,
} from '../src/errors.ts';
import type { WaitingFor } from '../src/scheduler/environment.ts';
import { LIVE_TRANSITIONS, type LiveState } from '../src/scheduler/live-machine.ts';
import { type SchedulerState, TRANSITIONS } from '../src/scheduler/status-machine.ts';
import {
  createStatusHolder,
  describeError,
  INITIAL_STATUS,
  type PhaseInput,
  phaseOf,
  type SyncPhase,
  type SyncStatus,
} from '../src/status.ts';

const STATES = Object.keys(TRANSITIONS) as SchedulerState[];
const LIVE = Object.keys(LIVE_TRANSITIONS) as LiveState[];
const WAITING: (WaitingFor | null)[] = [null, 'network', 'unmetered-network', 'battery'];

/** Every combination of the inputs, with the waiting reason only in the waiting state. */
function* allInputs(): Generator<PhaseInput> {
  for (const state of STATES) {
    for (const waitingFor of state === 'waiting' ? WAITING.slice(1) : [null]) {
      for (const live of LIVE) {
        for (const lastSuccessAt of [null, 1_000]) {
          for (const pendingCount of [0, 3]) {
            for (const current of [false, true]) {
              yield { state, waitingFor, live, lastSuccessAt, pendingCount, current };
            }
          }
        }
      }
    }
  }
}

describe('phase', () => {
  it('says up-to-date only when the data is known current, nothing runs, waits or failed', () => {
    for (const input of allInputs()) {
      if (phaseOf(input) !== 'up-to-date') continue;
      expect(input).toMatchObject({ state: 'idle', current: true, pendingCount: 0 });
      expect(input.lastSuccessAt).not.toBeNull();
      // A wanted stream must be connected: a lost one cannot vouch for anything.
      expect(['off', 'open']).toContain(input.live);
    }
  });

  it('never hides trouble: errors, offline, waiting and retries come first', () => {
    const first: Partial<Record<SchedulerState, SyncPhase>> = {
      stopped: 'stopped',
      error: 'error',
      'backing-off': 'retrying',
    };
    for (const input of allInputs()) {
      const phase = phaseOf(input);
      if (input.state === 'waiting') {
        expect(phase).toBe(input.waitingFor === 'network' ? 'offline' : 'waiting');
      } else if (first[input.state] !== undefined) {
        expect(phase).toBe(first[input.state]);
      }
    }
  });

  it('is loading on a device that never synced, unless something is wrong', () => {
    for (const input of allInputs()) {
      if (input.lastSuccessAt !== null || !['idle', 'syncing'].includes(input.state)) continue;
      expect(phaseOf(input)).toBe('loading');
    }
  });

  it('tells a lost live stream apart from one that is connecting', () => {
    const base = {
      state: 'idle',
      waitingFor: null,
      lastSuccessAt: 1_000,
      pendingCount: 0,
      current: true,
    } as const;
    expect(phaseOf({ ...base, live: 'reconnecting' })).toBe('reconnecting');
    expect(phaseOf({ ...base, live: 'connecting' })).toBe('connecting');
    // Connected, but not caught up yet since it opened.
    expect(phaseOf({ ...base, live: 'open', current: false })).toBe('connecting');
    expect(phaseOf({ ...base, live: 'open' })).toBe('up-to-date');
    // Without a stream, current for a while after a run, then stale.
    expect(phaseOf({ ...base, live: 'off' })).toBe('up-to-date');
    expect(phaseOf({ ...base, live: 'off', current: false })).toBe('stale');
  });

  it('shows pending writes rather than up-to-date, and keeps their count beside any phase', () => {
    const base = {
      state: 'idle',
      waitingFor: null,
      lastSuccessAt: 1_000,
      live: 'open',
      current: true,
    } as const;
    expect(phaseOf({ ...base, pendingCount: 3 })).toBe('pending');
    const holder = createStatusHolder(() => {});
    holder.update({ state: 'waiting', waitingFor: 'network', pendingCount: 3 });
    expect(holder.get()).toMatchObject({ phase: 'offline', pendingCount: 3 });
  });

  it('maps every combination to a phase', () => {
    const seen = new Set<SyncPhase>();
    for (const input of allInputs()) seen.add(phaseOf(input));
    expect([...seen].sort()).toEqual(
      [
        'connecting',
        'error',
        'loading',
        'offline',
        'pending',
        'reconnecting',
        'retrying',
        'stale',
        'stopped',
        'syncing',
        'up-to-date',
        'waiting',
      ].sort(),
    );
  });
});

describe('status holder', () => {
  it('starts loading, derives the phase on every change, and publishes only real changes', () => {
    const published: SyncStatus[] = [];
    const holder = createStatusHolder((status) => published.push(status));
    expect(holder.get()).toEqual(INITIAL_STATUS);
    expect(INITIAL_STATUS).toMatchObject({ phase: 'loading', live: 'off', liveRetryAt: null });
    holder.update({ lastSuccessAt: 5, live: 'open' });
    expect(holder.get().phase).toBe('connecting');
    holder.update({ current: true });
    expect(holder.get().phase).toBe('up-to-date');
    holder.update({ current: true });
    // `current` is not shown itself: only the phase it leads to.
    expect(Object.keys(holder.get())).not.toContain('current');
    expect(published.map((s) => s.phase)).toEqual(['connecting', 'up-to-date']);
    expect(Object.isFrozen(holder.get())).toBe(true);
  });
});

describe('error codes and phrases', () => {
  const url = 'https://x.test/v1/push';
  const cases: Array<[Error, string]> = [
    [
      new FerryNetworkError({ method: 'POST', url, aborted: false, cause: new Error('x') }),
      'unreachable',
    ],
    [
      new FerryNetworkError({ method: 'POST', url, aborted: true, cause: new Error('x') }),
      'aborted',
    ],
    [
      new FerryHttpError({
        code: 'unavailable',
        status: 503,
        serverMessage: 'x',
        method: 'POST',
        url,
      }),
      'unavailable',
    ],
    [
      new FerryHttpError({ code: undefined, status: 504, serverMessage: 'x', method: 'POST', url }),
      'unavailable',
    ],
    [
      new FerryHttpError({ code: undefined, status: 500, serverMessage: 'x', method: 'POST', url }),
      'internal',
    ],
    [
      new FerryHttpError({ code: undefined, status: 409, serverMessage: 'x', method: 'POST', url }),
      'invalid_request',
    ],
    [new FerryConditionsError('network'), 'offline'],
    [new FerryConditionsError('unmetered-network'), 'metered_network'],
    [new FerryConditionsError('battery'), 'low_battery'],
    [new FerryTimeoutError(60_000), 'timeout'],
    [new FerryTokenError(new Error('down')), 'token_unavailable'],
    [new FerryProtocolError(url, 'not JSON'), 'protocol_mismatch'],
    [new FerryConfigError('x'), 'misconfigured'],
    [new FerryValidationError('x'), 'invalid_value'],
    [new FerryClosedError('client'), 'closed'],
  ];

  it('every client error carries a stable code and a phrase for people beside its message', () => {
    for (const [error, code] of cases) {
      const described = describeError(error);
      expect(described.code, error.name).toBe(code);
      expect(described.message).toBe(error.message);
      expect(described.userMessage).toBe(userMessageFor(code));
      expect((error as Error & { userMessage: string }).userMessage).toBe(described.userMessage);
    }
  });

  it('says what an unreachable server means for the person, without a URL or a stack', () => {
    const error = new FerryNetworkError({
      method: 'POST',
      url: 'http://127.0.0.1:8787/v1/push',
      aborted: false,
      cause: new TypeError('Failed to fetch'),
    });
    expect(error.userMessage).toBe("Can't reach the server — changes are kept and will be sent");
    expect(error.message).toContain('Check the url option');
  });

  it('every code has a short phrase with no developer words in it', () => {
    for (const code of FERRY_ERROR_CODES) {
      const phrase = userMessageFor(code);
      expect(phrase.length, code).toBeLessThan(80);
      expect(phrase, code).not.toMatch(/https?:|Error|option|getToken|HTTP|\d{3}/);
    }
  });

  it('an unknown error, or one with a foreign code, is unknown to people', () => {
    expect(describeError(Object.assign(new Error('boom'), { code: 'ECONNRESET' }))).toEqual({
      code: 'unknown',
      message: 'boom',
      userMessage: userMessageFor('unknown'),
    });
    expect(userMessageFor('no_such_code')).toBe(userMessageFor('unknown'));
  });

  it("an adapter's error with its own code and phrase keeps both", () => {
    const error = Object.assign(new Error('quota exceeded in IndexedDB'), {
      code: 'storage_full',
      userMessage: 'This device is out of storage space',
    });
    expect(describeError(error)).toEqual({
      code: 'storage_full',
      message: 'quota exceeded in IndexedDB',
      userMessage: 'This device is out of storage space',
    });
  });
});
