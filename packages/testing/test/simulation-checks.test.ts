/**
 * The simulation's checks can fail: each is fed a fabricated record of the failure it
 * watches for (two runners at once, a pull out of order, a merge gone wrong) and must
 * report it, and stays quiet on the correct record next to it.
 */
import { createSimulatedNetwork } from '@ferry/testing';
import { describe, expect, it } from 'vitest';
import { checkLedger, type LedgerEntry, replayLedger } from '../src/sim/ledger.ts';
import { checkOneRunner, checkPulls, type Span } from '../src/sim/observe.ts';

const run = (start: number, end: number | null, runId: number, process = 1): Span => ({
  kind: 'run',
  process,
  start,
  end,
  runId,
});

describe('one runner at a time (I6)', () => {
  it('passes runs one after another, and requests one at a time', () => {
    const spans: Span[] = [
      run(1, 4, 1),
      run(5, 9, 2),
      { kind: 'request', process: 1, start: 2, end: 3 },
      { kind: 'request', process: 1, start: 6, end: 7 },
      // A crashed process's run, closed at the crash, then the next process's.
      run(10, 12, 3, 1),
      run(13, 15, 4, 2),
    ];
    expect(checkOneRunner('phone', spans)).toEqual([]);
  });

  it('reports a run that starts while another is still running', () => {
    const violations = checkOneRunner('phone', [run(1, 8, 1), run(5, 9, 2)]);
    expect(violations).toEqual([
      'phone: run 2 of process 1 began while run 1 of process 1 was still running',
    ]);
  });

  it('reports a run that never ended, and two requests in flight at once', () => {
    expect(checkOneRunner('desk', [run(1, null, 1), run(30, 31, 2)])).toHaveLength(1);
    const requests: Span[] = [
      { kind: 'request', process: 2, start: 1, end: 10 },
      { kind: 'request', process: 2, start: 3, end: 4 },
    ];
    expect(checkOneRunner('desk', requests)).toEqual([
      'desk: request ? of process 2 began while request ? of process 2 was still running',
    ]);
  });
});

describe('no gaps while pulling (I2)', () => {
  const page = (...changes: Array<[string, string, number]>) => ({
    process: 1,
    changes: changes.map(([space, key, version]) => ({ space, key, version })),
  });

  it('passes increasing pages, and a page sent again after a crash', () => {
    const pages = [
      page(['a', 'x', 1], ['b', 'y', 2], ['a', 'z', 3]),
      page(['a', 'x', 1], ['b', 'y', 2]),
      page(['a', 'x', 4]),
    ];
    expect(checkPulls('phone', pages)).toEqual([]);
  });

  it('reports versions out of order within a page', () => {
    expect(checkPulls('phone', [page(['a', 'x', 5], ['a', 'z', 3])])).toEqual([
      'phone: pull 1 lists a version 3 after 5 (not increasing)',
    ]);
  });

  it('reports a key received at an older version than one already received', () => {
    expect(checkPulls('phone', [page(['a', 'x', 5]), page(['a', 'x', 2])])).toEqual([
      'phone: pull 2 sent a/x at version 2, older than 5 it already had',
    ]);
  });
});

describe('the ledger of applied mutations (I1, I3)', () => {
  const entry = (
    mutationId: number,
    op: LedgerEntry['op'],
    version: number,
    value?: Record<string, string | number | null>,
  ): LedgerEntry => ({
    clientId: 'c1',
    mutationId,
    space: 's',
    key: 'k',
    op,
    value: value as LedgerEntry['value'],
    version,
  });

  it('replays in version order: puts replace, patches merge and remove null fields', () => {
    const ledger = [
      entry(3, 'patch', 30, { seq: 3, mark: null, other: 1 }),
      entry(1, 'put', 10, { seq: 1, mark: 'x' }),
      entry(2, 'patch', 20, { seq: 2, mark: 'y' }),
    ];
    expect(replayLedger(ledger).get('s/k')).toEqual({ seq: 3, other: 1 });
    const server = new Map([['s/k', { other: 1, seq: 3 }]]);
    expect(checkLedger(ledger, server, () => true)).toEqual([]);
  });

  it('reports a server whose merge differs, or a mutation applied twice', () => {
    const ledger = [entry(1, 'put', 10, { seq: 1, mark: 'x' }), entry(2, 'patch', 20, { seq: 2 })];
    // The patch was applied as a put: the mark is gone.
    const lost = checkLedger(ledger, new Map([['s/k', { seq: 2 }]]), () => true);
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatch(/replaying what it applied gives/);
    const twice = [...ledger, entry(2, 'patch', 25, { seq: 2 })];
    expect(checkLedger(twice, new Map([['s/k', { seq: 2, mark: 'x' }]]), () => true)).toEqual([
      'mutation c1#2 applied twice, at versions 20 and 25',
    ]);
  });
});

describe('server restarts in the simulated network', () => {
  it('fails a request the restart struck as a network error, and restarts between requests', async () => {
    let restarts = 0;
    const network = createSimulatedNetwork({
      handler: async () => new Response('ok'),
      random: () => 0,
      startAt: 0,
      restartServer: async () => {
        restarts += 1;
      },
    });
    network.faults = {
      dropRequest: 0,
      dropResponse: 0,
      duplicate: 0,
      maxDelayMs: 1,
      serverRestart: 1,
    };
    const fetch = network.fetchFor({ alive: () => true, online: () => true });
    const answer = fetch('http://x/v1/pull', { method: 'POST', body: '{}' }).then(
      () => 'answered',
      (error: Error) => error.message,
    );
    await network.advance(10);
    expect(await answer).toMatch(/server restarted \(before handling\)/);
    await network.restartServer();
    expect(restarts).toBe(2);
    expect(network.stats.serverRestarts).toBe(2);
  });
});

describe('the live event stream over the simulated network', () => {
  it('relays chunks as they come, and fails the stream when the process goes offline', async () => {
    let push: ((text: string) => void) | undefined;
    let cancelled = false;
    const network = createSimulatedNetwork({
      handler: async () =>
        new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              push = (text) => controller.enqueue(new TextEncoder().encode(text));
            },
            cancel() {
              cancelled = true;
            },
          }),
          { headers: { 'content-type': 'text/event-stream' } },
        ),
      random: () => 0.5,
      startAt: 0,
    });
    let online = true;
    const fetch = network.fetchFor({ alive: () => true, online: () => online });
    const opened = fetch('http://x/v1/events');
    await network.advance(10);
    const reader = (await opened).body!.getReader();
    expect(network.openStreams).toBe(1);
    push?.('event: poke\n\n');
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('event: poke\n\n');
    online = false;
    const next = reader.read().then(
      () => 'read',
      (error: Error) => error.message,
    );
    await network.advance(1);
    expect(await next).toMatch(/connection lost/);
    expect(cancelled).toBe(true);
    expect(network.openStreams).toBe(0);
  });
});
