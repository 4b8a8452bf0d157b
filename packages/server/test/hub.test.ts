/** The poke hub: who a commit pokes, and how often. */
import { describe, expect, it } from 'vitest';
import { PokeHub, type PokeSubscriber } from '../src/events/hub.ts';

/** A subscriber that records the versions it was poked with, and can act as it is poked. */
function recorder(onPoke?: () => void): PokeSubscriber & { versions: number[] } {
  const versions: number[] = [];
  return {
    versions,
    poke(version) {
      versions.push(version);
      onPoke?.();
    },
  };
}

describe('PokeHub.publish', () => {
  it('pokes every subscriber of a space once, and none of other spaces', () => {
    const hub = new PokeHub();
    const a1 = recorder();
    const a2 = recorder();
    const b = recorder();
    hub.add(['a'], a1);
    hub.add(['a'], a2);
    hub.add(['b'], b);
    expect(hub.publish(['a'], 7)).toBe(2);
    expect(a1.versions).toEqual([7]);
    expect(a2.versions).toEqual([7]);
    expect(b.versions).toEqual([]);
    expect(hub.headVersion).toBe(7);
  });

  it('pokes a subscriber of several touched spaces once', () => {
    const hub = new PokeHub();
    const both = recorder();
    const onlyB = recorder();
    hub.add(['a', 'b'], both);
    hub.add(['b'], onlyB);
    expect(hub.publish(['a', 'b', 'c'], 3)).toBe(2);
    expect(both.versions).toEqual([3]);
    expect(onlyB.versions).toEqual([3]);
  });

  it('still pokes the rest when a subscriber leaves as it is poked', () => {
    const hub = new PokeHub();
    const subscribers: ReturnType<typeof recorder>[] = [];
    for (let i = 0; i < 5; i++) {
      // The second one ends as it is poked, as a stream whose socket is gone does.
      const subscriber = recorder(i === 1 ? () => hub.remove(['a'], subscriber) : undefined);
      subscribers.push(subscriber);
      hub.add(['a'], subscriber);
    }
    expect(hub.publish(['a'], 1)).toBe(5);
    expect(subscribers.map((s) => s.versions)).toEqual([[1], [1], [1], [1], [1]]);
    expect(hub.subscriberCount).toBe(4);
    expect(hub.publish(['a'], 2)).toBe(4);
    expect(subscribers[1]!.versions).toEqual([1]);
    expect(subscribers[4]!.versions).toEqual([1, 2]);
  });

  it('pokes nobody for a space without subscribers', () => {
    const hub = new PokeHub();
    hub.add(['a'], recorder());
    expect(hub.publish(['z'], 1)).toBe(0);
  });
});
