/**
 * `describeNonJsonObject` names the first part of a value that JSON would not carry back
 * unchanged, with its path, and finds nothing wrong in a plain JSON object.
 */
import { describe, expect, it } from 'vitest';
import { describeNonJsonObject } from '../src/json.ts';

class Point {
  x = 1;
}

describe('describeNonJsonObject', () => {
  it('finds nothing wrong in plain JSON, however it nests', () => {
    const shared = { deep: [1, 'two', true, null, { three: [3.5, -0] }] };
    expect(describeNonJsonObject({ a: shared, list: [[], {}], empty: '' })).toBeUndefined();
    expect(describeNonJsonObject(Object.create(null))).toBeUndefined();
  });

  it('takes a value that two fields share, which JSON writes twice', () => {
    const shared = { n: 1 };
    expect(describeNonJsonObject({ a: shared, b: [shared, shared] })).toBeUndefined();
    expect(describeNonJsonObject({ a: shared, b: shared, c: Number.NaN })).toBe(
      'value.c is NaN, which JSON cannot represent',
    );
  });

  it('names the first wrong part in the order JSON writes them', () => {
    const value = { ok: 1, a: [0, undefined], b: { c: Number.NaN } };
    expect(describeNonJsonObject(value)).toBe(
      'value.a[1] is undefined, which JSON cannot represent',
    );
  });

  it('refuses what is not an object at the top', () => {
    for (const value of [null, 1, 'x', [1], undefined]) {
      expect(describeNonJsonObject(value)).toBe('a record value must be a plain JSON object');
    }
  });

  it('names the part that is wrong, by its path', () => {
    const cyclic: Record<string, unknown> = { name: 'x' };
    const holes = [1];
    holes[2] = 3;
    cyclic.self = { back: cyclic };
    const cases: Array<[unknown, string]> = [
      [{ a: undefined }, 'value.a is undefined, which JSON cannot represent'],
      [{ a: [1, { b: Number.NaN }] }, 'value.a[1].b is NaN, which JSON cannot represent'],
      [{ n: Number.POSITIVE_INFINITY }, 'value.n is Infinity, which JSON cannot represent'],
      [{ f: () => 1 }, 'value.f is a function, which JSON cannot represent'],
      [{ big: { n: 1n } }, 'value.big.n is a bigint, which JSON cannot represent'],
      [{ when: [new Date(0)] }, 'value.when[0] is a Date, not a plain object'],
      [{ p: new Point() }, 'value.p is a Point, not a plain object'],
      [{ '0': { '': [undefined] } }, 'value.0.[0] is undefined, which JSON cannot represent'],
      [cyclic, 'value.self.back is a circular reference'],
      // Holes in an array read as undefined.
      [{ holes }, 'value.holes[1] is undefined, which JSON cannot represent'],
    ];
    for (const [value, message] of cases) expect(describeNonJsonObject(value)).toBe(message);
  });

  it('walks a deeply nested value without overflowing the stack', () => {
    let deep: Record<string, unknown> = { end: undefined };
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    expect(describeNonJsonObject(deep)).toMatch(/^value(\.d){100000}\.end is undefined/);
    let valid: Record<string, unknown> = { end: true };
    for (let i = 0; i < 100_000; i++) valid = { d: [valid] };
    expect(describeNonJsonObject(valid)).toBeUndefined();
  });
});
