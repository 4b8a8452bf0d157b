/** Backoff with jitter, Retry-After, the 401 and other 4xx cases, and the run budget. */
import { describe, expect, it } from 'vitest';
import { FerryHttpError, FerryNetworkError, FerryProtocolError } from '../../src/errors.ts';
import { finishAfter, schedulerHarness } from '../support/scheduler-harness.ts';

function httpError(status: number, code: string, retryAfterSeconds?: number) {
  return new FerryHttpError({
    code: code as never,
    status,
    serverMessage: code,
    method: 'POST',
    url: 'https://ferry.test/v1/pull',
    retryAfterSeconds,
  });
}

const networkError = () =>
  new FerryNetworkError({
    method: 'POST',
    url: 'https://ferry.test/v1/pull',
    aborted: false,
    cause: new TypeError('fetch failed'),
  });

describe('scheduler failures', () => {
  it('backs off exponentially with jitter between the bounds, then resets after a success', async () => {
    const h = schedulerHarness({
      schedule: { backoffInitialDelayMs: 1_000, backoffMaxDelayMs: 8_000, triggers: ['start'] },
    });
    await h.scheduler.start();
    const gaps: number[] = [];
    for (let attempt = 1; attempt <= 6; attempt++) {
      await h.sim.settle();
      const run = h.runs.at(-1)!;
      run.fail(networkError());
      await h.sim.settle();
      const failedAt = h.sim.now();
      expect(h.scheduler.status()).toMatchObject({ state: 'backing-off', attempt });
      await h.sim.advanceUntil(() => h.runs.length > attempt, 60_000);
      gaps.push(h.sim.now() - failedAt);
      const ceiling = Math.min(8_000, 1_000 * 2 ** (attempt - 1));
      expect(gaps.at(-1)).toBeGreaterThanOrEqual(ceiling / 2);
      expect(gaps.at(-1)).toBeLessThanOrEqual(ceiling);
    }
    // The retries carry the trigger of the run that failed.
    expect(new Set(h.runs.map((r) => r.context.triggers.join()))).toEqual(new Set(['start']));
    await h.sim.settle();
    h.runs.at(-1)!.succeed();
    await h.sim.settle();
    expect(h.scheduler.status()).toMatchObject({ state: 'idle', attempt: 0, lastError: null });
  });

  it('re-arms after a failure without waiting for a new local write', async () => {
    const h = schedulerHarness({ schedule: { triggers: ['local-change'] } });
    h.storage.lastSuccessAt = h.sim.now();
    await h.scheduler.start();
    h.pending.value = true;
    h.scheduler.trigger('local-change');
    await h.sim.advance(1_000);
    h.runs[0]!.fail(networkError());
    await h.sim.advance(1_000);
    expect(h.runs.map((r) => r.context.triggers)).toEqual([['local-change'], ['local-change']]);
  });

  it('honours Retry-After: no run before it, not even a manual one', async () => {
    const h = schedulerHarness({ schedule: { backoffInitialDelayMs: 100 } });
    await h.scheduler.start();
    await h.sim.settle();
    h.runs[0]!.fail(httpError(429, 'rate_limited', 30));
    await h.sim.settle();
    expect(h.scheduler.status()).toMatchObject({
      state: 'backing-off',
      nextRunAt: h.sim.now() + 30_000,
      lastError: { code: 'rate_limited' },
    });
    const manual = h.scheduler.requestRun();
    await h.sim.advance(29_999);
    expect(h.runs).toHaveLength(1);
    await h.sim.advance(1);
    expect(h.runs).toHaveLength(2);
    expect(h.runs[1]!.context.triggers).toEqual(['start', 'manual']);
    h.runs[1]!.succeed();
    expect((await manual).outcome).toBe('success');
  });

  it('a manual sync cuts a backoff short; the retries after it back off again', async () => {
    const h = schedulerHarness({ schedule: { backoffInitialDelayMs: 60_000, triggers: [] } });
    await h.scheduler.start();
    const first = h.scheduler.requestRun();
    await h.sim.settle();
    h.runs[0]!.fail(networkError());
    await expect(first).rejects.toThrow(FerryNetworkError);
    const second = h.scheduler.requestRun();
    await h.sim.settle();
    expect(h.runs).toHaveLength(2);
    h.runs[1]!.fail(networkError());
    await expect(second).rejects.toThrow(FerryNetworkError);
    await h.sim.advance(59_999);
    expect(h.runs).toHaveLength(2);
    expect(h.scheduler.status()).toMatchObject({ state: 'backing-off', attempt: 2 });
  });

  it('a 401 that survived the token refresh is an error, not retried until asked', async () => {
    const h = schedulerHarness({ schedule: { minIntervalMs: 1_000 } });
    await h.scheduler.start();
    await h.sim.settle();
    h.runs[0]!.fail(httpError(401, 'unauthorized'));
    await h.sim.settle();
    expect(h.scheduler.status()).toMatchObject({
      state: 'error',
      nextRunAt: null,
      lastError: { code: 'unauthorized' },
    });
    h.scheduler.trigger('poke');
    h.sim.hide();
    h.sim.show();
    await h.sim.advance(60 * 60_000);
    expect(h.runs).toHaveLength(1);
    // A new local write, or a manual sync, is a reason to try again.
    h.pending.value = true;
    h.scheduler.trigger('local-change');
    await h.sim.advance(1_000);
    expect(h.runs.map((r) => r.context.triggers)).toEqual([['start'], ['local-change']]);
    h.runs[1]!.succeed();
    await h.sim.settle();
    expect(h.scheduler.status()).toMatchObject({ state: 'idle', lastError: null });
  });

  it('a sync() whose write a failed run pushed, made while that run saves its end, goes on to the next run', async () => {
    const h = schedulerHarness({ lastMutationId: () => 1 });
    await h.scheduler.start();
    await h.sim.settle();
    const run = h.runs[0]!;
    run.context.pushRange = { after: 0, through: 1 };
    let joined: Promise<unknown> | null = null;
    h.storage.onSave = () => {
      h.storage.onSave = null;
      joined = h.scheduler.requestRun();
    };
    run.fail(networkError());
    await h.sim.settle();
    expect(joined).not.toBeNull();
    // It joined the failed run (which records it) and is served by the next one, which the
    // failure's carried trigger and the call both ask for.
    expect(h.runs).toHaveLength(2);
    h.runs[1]!.succeed();
    await expect(joined).resolves.toMatchObject({ id: h.runs[1]!.context.id, outcome: 'success' });
  });

  it.each([
    ['403 forbidden', () => httpError(403, 'forbidden')],
    ['400 invalid_request', () => httpError(400, 'invalid_request')],
    ['a non-protocol answer', () => new FerryProtocolError('https://x', 'not JSON')],
  ])('%s is surfaced as an error, not retried blindly', async (_name, error) => {
    const h = schedulerHarness();
    await h.scheduler.start();
    await h.sim.settle();
    h.runs[0]!.fail(error());
    await h.sim.advance(24 * 60 * 60_000);
    expect(h.runs).toHaveLength(1);
    expect(h.scheduler.status().state).toBe('error');
    expect(h.ended.map((r) => r.outcome)).toEqual(['failed']);
  });

  it.each([
    [500, 'internal'],
    [503, 'unavailable'],
  ])('%i is retried', async (status, code) => {
    const h = schedulerHarness({ schedule: { backoffMaxDelayMs: 1_000 } });
    await h.scheduler.start();
    await h.sim.settle();
    h.runs[0]!.fail(httpError(status, code));
    await h.sim.advance(1_000);
    expect(h.runs).toHaveLength(2);
  });

  it('budget: a run that made progress is cut at maxRunDurationMs and continues at once', async () => {
    const h = schedulerHarness({
      schedule: { maxRunDurationMs: 10_000 },
      onRun: (run) => run.progress(),
    });
    await h.scheduler.start();
    await h.sim.advance(10_000);
    expect(h.ended.map((r) => [r.outcome, r.abortReason, r.pulled])).toEqual([
      ['aborted', 'budget', 1],
    ]);
    expect(h.runs).toHaveLength(2);
    expect(h.runs[1]!.context.triggers).toEqual(['start']);
    expect(h.runs[1]!.startedAt).toBe(h.runs[0]!.startedAt + 10_000);
    expect(h.scheduler.status().attempt).toBe(0);
  });

  it('budget: a run that made no progress backs off instead of looping', async () => {
    const h = schedulerHarness({
      schedule: { maxRunDurationMs: 10_000, backoffInitialDelayMs: 4_000 },
    });
    await h.scheduler.start();
    await h.sim.advance(10_000);
    expect(h.ended.map((r) => [r.outcome, r.abortReason])).toEqual([['failed', 'budget']]);
    expect(h.scheduler.status()).toMatchObject({ state: 'backing-off', attempt: 1 });
    expect(h.ended[0]!.error?.message).toContain('maxRunDurationMs');
    // A person reads that the server is slow, not that a budget was reached.
    expect(h.scheduler.status().lastError).toMatchObject({
      code: 'timeout',
      userMessage: 'The server is taking too long to answer — changes are kept and will be sent',
    });
    await h.sim.advance(1_999);
    expect(h.runs).toHaveLength(1);
  });

  it('a run that finishes in time is never cut', async () => {
    const h = schedulerHarness({
      schedule: { maxRunDurationMs: 10_000 },
      onRun: finishAfter(9_999),
    });
    await h.scheduler.start();
    await h.sim.advance(20_000);
    expect(h.ended.map((r) => r.outcome)).toEqual(['success']);
  });
});
