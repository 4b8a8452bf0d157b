/**
 * The event streams of a server share one heartbeat timer: every open stream gets its ping
 * on the same tick, and a stream that closes leaves the set, so nothing is written to it
 * afterwards and nothing of it is kept.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PokeHub } from '../src/events/hub.ts';
import { EventStreams } from '../src/events/stream.ts';

const HEARTBEAT_MS = 25_000;

interface Opened {
  text: () => string;
  pings: () => number;
  pokes: () => number[];
  close: () => Promise<void>;
  ended: Promise<void>;
}

function collect(response: Response): Opened {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  const ended = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      text += value;
    }
  })();
  return {
    text: () => text,
    pings: () => text.split(': ping\n\n').length - 1,
    pokes: () => [...text.matchAll(/data: \{"version":(\d+)\}/g)].map((m) => Number(m[1])),
    close: async () => {
      await reader.cancel();
      await ended;
    },
    ended,
  };
}

function setup() {
  const hub = new PokeHub();
  const registered: Array<() => void> = [];
  let unregistered = 0;
  const streams = new EventStreams({
    hub,
    heartbeatMs: HEARTBEAT_MS,
    register: (close) => {
      registered.push(close);
      return () => {
        unregistered += 1;
      };
    },
  });
  return { hub, streams, registered, unregistered: () => unregistered };
}

describe('event stream heartbeats', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ping every open stream on one tick of one timer', async () => {
    const { streams, registered } = setup();
    const opened = Array.from({ length: 50 }, () => collect(streams.open(['s'])));
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(1);
    expect(registered).toHaveLength(1);
    for (const stream of opened) {
      expect(stream.text()).toMatch(
        /^retry: 2000\n: heartbeat 25000\n\nevent: poke\ndata: \{"version":0\}\n\n$/,
      );
    }

    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS - 1);
    expect(opened.map((s) => s.pings())).toEqual(opened.map(() => 0));
    await vi.advanceTimersByTimeAsync(1);
    expect(opened.map((s) => s.pings())).toEqual(opened.map(() => 1));
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS);
    expect(opened.map((s) => s.pings())).toEqual(opened.map(() => 2));
    expect(vi.getTimerCount()).toBe(1);
    for (const stream of opened) await stream.close();
  });

  it('forget a closed stream: no pings or pokes after close, and no timer once all are gone', async () => {
    const { hub, streams, unregistered } = setup();
    const opened = Array.from({ length: 10 }, () => collect(streams.open(['s'])));
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS);
    const [closing, ...staying] = opened;
    const before = closing!.text();
    await closing!.close();
    expect(streams.size).toBe(9);
    expect(hub.subscriberCount).toBe(9);

    // Writing to a cancelled stream would throw from the timer; it is simply not visited.
    hub.publish(['s'], 7);
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS);
    expect(closing!.text()).toBe(before);
    for (const stream of staying) {
      expect(stream.pings()).toBe(2);
      expect(stream.pokes()).toEqual([0, 7]);
    }

    for (const stream of staying) await stream.close();
    expect(streams.size).toBe(0);
    expect(hub.subscriberCount).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(unregistered()).toBe(1);

    // A stream opened later starts the timer again.
    const later = collect(streams.open(['s']));
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS);
    expect(vi.getTimerCount()).toBe(1);
    expect(later.pings()).toBe(1);
    await later.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('end every stream with a spread-out retry hint when the server shuts down', async () => {
    const { hub, streams, registered, unregistered } = setup();
    const opened = Array.from({ length: 5 }, () => collect(streams.open(['s'])));
    await vi.advanceTimersByTimeAsync(0);
    expect(registered).toHaveLength(1);
    registered[0]!();
    await Promise.all(opened.map((s) => s.ended));
    for (const stream of opened) {
      const retries = [...stream.text().matchAll(/retry: (\d+)\n/g)].map((m) => Number(m[1]));
      expect(retries[0]).toBe(2000);
      expect(retries[1]).toBeGreaterThanOrEqual(2000);
      expect(retries[1]).toBeLessThan(4000);
    }
    expect(streams.size).toBe(0);
    expect(hub.subscriberCount).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(unregistered()).toBe(1);
  });

  it('encode a poke once for every stream it goes to, and drop one no newer than the last', async () => {
    const { hub, streams } = setup();
    const opened = Array.from({ length: 3 }, () => collect(streams.open(['a', 'b'])));
    hub.publish(['a', 'b'], 5);
    hub.publish(['b'], 5);
    hub.publish(['a'], 4);
    hub.publish(['b'], 6);
    await vi.advanceTimersByTimeAsync(0);
    for (const stream of opened) expect(stream.pokes()).toEqual([0, 5, 6]);
    expect(streams.pokeChunk(6)).toBe(streams.pokeChunk(6));
    for (const stream of opened) await stream.close();
  });
});
