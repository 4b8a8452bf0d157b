/**
 * An event stream does not outlive the authority it was opened with (I5): it ends at its
 * token's `exp`, after a `reauthenticate` event, even when its timer runs late, and it ends
 * the same way once a space it serves is no longer granted. Simulated time: the stream's
 * timers and clock are the test's.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PokeHub } from '../src/events/hub.ts';
import { EventStreams, type StreamOwner } from '../src/events/stream.ts';

const RECHECK_MS = 10_000;

function collect(response: Response) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  let ended = false;
  const reading = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += value;
    }
    ended = true;
  })();
  return {
    text: () => text,
    ended: () => ended,
    reading,
    pokes: () => [...text.matchAll(/data: \{"version":(\d+)/g)].map((m) => Number(m[1])),
    close: () => reader.cancel(),
  };
}

function setup(options: { onRecheckError?: (error: unknown, userId: string) => void } = {}) {
  const hub = new PokeHub();
  const streams = new EventStreams({
    hub,
    heartbeatMs: 3_600_000,
    register: () => () => {},
    spacesRecheckMs: RECHECK_MS,
    ...options,
  });
  const open = (spaces: string[], owner?: StreamOwner) =>
    collect(streams.open(spaces, undefined, owner));
  return { hub, streams, open };
}

/** Lets the readers take what was written. */
const flush = () => vi.advanceTimersByTimeAsync(0);

const expired = (reason: string) => `event: reauthenticate\ndata: {"reason":"${reason}"}\n\n`;

describe('an event stream and the authority it was opened with', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ends at its exp with a reauthenticate event, and nothing committed after reaches it', async () => {
    const { hub, streams, open } = setup();
    const stream = open(['s'], { userId: 'alice', expiresAtMs: Date.now() + 5_000 });
    const unlimited = open(['s'], { userId: 'bob' });
    hub.publish(['s'], 1);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(stream.ended()).toBe(false);
    expect(stream.pokes()).toEqual([0, 1]);

    await vi.advanceTimersByTimeAsync(1);
    await stream.reading;
    expect(stream.text().endsWith(expired('token_expired'))).toBe(true);
    expect(streams.size).toBe(1);
    hub.publish(['s'], 2);
    await flush();
    expect(stream.pokes()).toEqual([0, 1]);
    expect(unlimited.pokes()).toEqual([0, 1, 2]);
    // A stream whose owner neither expires nor re-checks holds no timer of its own.
    expect(vi.getTimerCount()).toBe(1);
    await unlimited.close();
  });

  it('refuses a poke after exp even when its timer has not run yet', async () => {
    const { hub, open } = setup();
    const stream = open(['s'], { userId: 'alice', expiresAtMs: Date.now() + 5_000 });
    await vi.advanceTimersByTimeAsync(0);
    // The clock passes exp while the timer waits behind a busy event loop.
    vi.setSystemTime(Date.now() + 5_000);
    hub.publish(['s'], 7, undefined);
    await stream.reading;
    expect(stream.pokes()).toEqual([0]);
    expect(stream.text().endsWith(expired('token_expired'))).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clears its timer when the client leaves first', async () => {
    const { open } = setup();
    const stream = open(['s'], { userId: 'alice', expiresAtMs: Date.now() + 5_000 });
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(2);
    await stream.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits out an exp further away than a timer can be set for', async () => {
    const { open } = setup();
    const farMs = 40 * 24 * 3600 * 1000;
    const stream = open(['s'], { userId: 'alice', expiresAtMs: Date.now() + farMs });
    await vi.advanceTimersByTimeAsync(farMs - 1);
    expect(stream.ended()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await stream.reading;
    expect(stream.text().endsWith(expired('token_expired'))).toBe(true);
  });

  it('re-checks its spaces on a period and ends once one is withdrawn, before the next poke', async () => {
    const { hub, open } = setup();
    let granted = ['alice', 'team'];
    let asked = 0;
    const owner: StreamOwner = {
      userId: 'alice',
      expiresAtMs: Date.now() + 3_600_000,
      currentSpaces: async () => {
        asked += 1;
        return granted;
      },
    };
    const both = open(['alice', 'team'], owner);
    const ownOnly = open(['alice'], owner);
    await vi.advanceTimersByTimeAsync(RECHECK_MS);
    expect(asked).toBe(2);
    hub.publish(['team'], 1);
    await flush();
    expect(both.pokes()).toEqual([0, 1]);

    granted = ['alice'];
    await vi.advanceTimersByTimeAsync(RECHECK_MS - 1);
    hub.publish(['team'], 2);
    await flush();
    // Until the re-check decides, the space is still granted.
    expect(both.pokes()).toEqual([0, 1, 2]);
    await vi.advanceTimersByTimeAsync(1);
    expect(asked).toBe(4);
    await flush();
    hub.publish(['team', 'alice'], 3);
    await both.reading;
    expect(both.pokes()).toEqual([0, 1, 2]);
    expect(both.text().endsWith(expired('spaces_changed'))).toBe(true);
    // A stream over spaces still granted goes on.
    expect(ownOnly.ended()).toBe(false);
    await flush();
    expect(ownOnly.pokes()).toEqual([0, 3]);
    await ownOnly.close();
  });

  it('ends with a retry hint, not a reauthenticate event, when the spaces cannot be read', async () => {
    const errors: Array<[unknown, string]> = [];
    const { open } = setup({ onRecheckError: (error, userId) => errors.push([error, userId]) });
    const failure = new Error('the membership table does not answer');
    const stream = open(['team'], {
      userId: 'alice',
      currentSpaces: () => Promise.reject(failure),
    });
    await vi.advanceTimersByTimeAsync(RECHECK_MS);
    await stream.reading;
    expect(errors).toEqual([[failure, 'alice']]);
    expect(stream.text()).toMatch(/retry: \d+\n\n$/);
    expect(stream.text()).not.toContain('reauthenticate');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ends at exp while a re-check is still waiting for an answer', async () => {
    const { open } = setup();
    const stream = open(['team'], {
      userId: 'alice',
      expiresAtMs: Date.now() + RECHECK_MS + 1_000,
      currentSpaces: () => new Promise(() => {}),
    });
    await vi.advanceTimersByTimeAsync(RECHECK_MS + 1_000);
    await stream.reading;
    expect(stream.text().endsWith(expired('token_expired'))).toBe(true);
  });
});
