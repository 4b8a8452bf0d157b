/**
 * The per-user count of event streams on its own: beyond the cap the user's oldest stream
 * is ended, every ended stream frees its slot, and no user's streams end another's.
 */
import { describe, expect, it } from 'vitest';
import { StreamsPerUser } from '../src/events/streams-per-user.ts';

class FakeStream {
  ended = false;
  constructor(
    readonly name: string,
    private readonly set: StreamsPerUser<FakeStream>,
  ) {}
  shutdown(): void {
    this.ended = true;
    this.set.release(this);
  }
}

function setWithCap(max: number) {
  const set = new StreamsPerUser<FakeStream>(max);
  const open = (userId: string, name: string) => {
    const stream = new FakeStream(name, set);
    set.admit(userId, stream);
    return stream;
  };
  return { set, open };
}

describe('streams per user', () => {
  it('with a cap of one, a second stream ends the first', () => {
    const { open } = setWithCap(1);
    const first = open('u', 'first');
    const second = open('u', 'second');
    expect(first.ended).toBe(true);
    expect(second.ended).toBe(false);
    const third = open('u', 'third');
    expect(second.ended).toBe(true);
    expect(third.ended).toBe(false);
  });

  it("ends the oldest beyond the cap, and only that user's", () => {
    const { open } = setWithCap(3);
    const other = open('v', 'other');
    const streams = ['a', 'b', 'c'].map((name) => open('u', name));
    expect(streams.some((s) => s.ended)).toBe(false);
    const d = open('u', 'd');
    expect(streams.map((s) => s.ended)).toEqual([true, false, false]);
    expect(d.ended).toBe(false);
    expect(other.ended).toBe(false);
  });

  it('a released stream frees its slot, once, whichever it was', () => {
    const { set, open } = setWithCap(2);
    const a = open('u', 'a');
    const b = open('u', 'b');
    set.release(a);
    set.release(a);
    const c = open('u', 'c');
    expect([a.ended, b.ended, c.ended]).toEqual([false, false, false]);
    set.release(c);
    const d = open('u', 'd');
    expect(b.ended).toBe(false);
    open('u', 'e');
    expect(b.ended).toBe(true);
    expect(d.ended).toBe(false);
    // A user's only stream, released, leaves the user a fresh start.
    const lone = open('w', 'lone');
    set.release(lone);
    const next = [open('w', 'x'), open('w', 'y')];
    expect(next.some((s) => s.ended)).toBe(false);
    // Releasing a stream never admitted changes nothing.
    set.release(new FakeStream('stranger', set));
    open('w', 'z');
    expect(next.map((s) => s.ended)).toEqual([true, false]);
  });

  it('with no cap (0), counts and ends nothing', () => {
    const { open } = setWithCap(0);
    const streams = Array.from({ length: 100 }, (_, i) => open('u', `s${i}`));
    expect(streams.some((s) => s.ended)).toBe(false);
  });
});
