/**
 * `describeNonJsonObject` names the first part of a value that JSON would not carry back
 * unchanged, with its path, and finds nothing wrong in a plain JSON object;
 * `describeUnwritableValue` refuses big integers as well.
 */
import { describe, expect, it } from 'vitest';
import {
  describeNonJsonObject,
  describeUnwritableValue,
  inspectWrittenValue,
  isInexactInteger,
  jsonDepthExceeds,
} from '../src/json.ts';

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

describe('big integers', () => {
  it('are refused in a written value, by path, and kept in what a store takes', () => {
    // 9007199254740993 in JSON text reads as 9007199254740992, itself past the safe range.
    const parsed = JSON.parse('{"a": {"list": [1, 9007199254740993]}}');
    expect(describeUnwritableValue(parsed)).toBe(
      'value.a.list[1] is an integer beyond ±(2^53 − 1) (Number.MAX_SAFE_INTEGER), which a JSON number cannot hold exactly (it reads as 9007199254740992); store big integers as strings (a BigInt as String(n))',
    );
    expect(describeNonJsonObject(parsed)).toBeUndefined();
    expect(describeUnwritableValue({ n: -(2 ** 53) })).toMatch(/^value\.n is an integer beyond/);
    expect(describeUnwritableValue({ n: Number.NaN })).toBe(
      'value.n is NaN, which JSON cannot represent',
    );
  });

  it('are told apart from safe integers, fractions and numbers JSON writes in exponent form', () => {
    const kept = [
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
      0,
      -0,
      1.5,
      2 ** 52 + 0.5,
      1e21,
      -1e21,
      1.5e300,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
    ];
    for (const n of kept) {
      expect(isInexactInteger(n), String(n)).toBe(false);
      expect(describeUnwritableValue({ n })).toBeUndefined();
    }
    // The largest double below 1e21 is the last that JSON writes in plain digits.
    const lastInDigits = 1e21 - 2 ** 17;
    expect(lastInDigits).toBeLessThan(1e21);
    expect(JSON.stringify(lastInDigits)).toBe('999999999999999900000');
    expect(JSON.stringify(1e21)).toBe('1e+21');
    for (const n of [2 ** 53, -(2 ** 53), 2 ** 63, 2 ** 64, lastInDigits, -lastInDigits]) {
      expect(isInexactInteger(n), String(n)).toBe(true);
    }
    for (const n of [Number.NaN, Number.POSITIVE_INFINITY]) expect(isInexactInteger(n)).toBe(false);
  });

  it('are found by the same walk as the depth, which answers too_deep first', () => {
    expect(inspectWrittenValue({ a: [1, { b: 'x' }], c: 2 ** 53 - 1 }, 64)).toBeUndefined();
    expect(inspectWrittenValue({ a: [1, { b: 2 ** 53 }] }, 64)).toBe('unwritable');
    expect(inspectWrittenValue({ a: [Number.NEGATIVE_INFINITY] }, 64)).toBe('unwritable');
    expect(inspectWrittenValue({ n: 2 ** 53, a: { b: { c: {} } } }, 3)).toBe('too_deep');
    expect(inspectWrittenValue({ a: { b: { c: 2 ** 53 } } }, 3)).toBe('unwritable');
    expect(jsonDepthExceeds({ n: 2 ** 53 }, 64)).toBe(false);
  });
});
