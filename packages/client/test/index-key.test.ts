/**
 * Index entries compare as the values and keys they encode: strings by UTF-16 code units
 * (lone surrogates, control characters and the characters at the edges of the plain range
 * included), then by key, and every entry stays below `HIGH`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeField, HIGH, indexEntry } from '../src/index-key.ts';

const sign = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Strings of any UTF-16 code units, often those at the edges of each encoded form. */
const text = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0, max: 0xffff }),
      fc.constantFrom(0x00, 0x20, 0x21, 0x22, 0x23, 0x41, 0x7c, 0x7d, 0x7e, 0x7f, 0xd83d, 0xffff),
    ),
    { maxLength: 8 },
  )
  .map((units) => String.fromCharCode(...units));

describe('index entries', () => {
  it('order strings by UTF-16 code units, shorter before longer', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(sign(encodeField(a), encodeField(b))).toBe(sign(a, b));
      }),
      { numRuns: 2000 },
    );
  });

  it('order by the field, then by the key, and stay ASCII below HIGH', () => {
    fc.assert(
      fc.property(text, text, text, text, (a, b, keyA, keyB) => {
        const entryA = indexEntry(['f'], { f: a }, keyA);
        const entryB = indexEntry(['f'], { f: b }, keyB);
        expect(sign(entryA, entryB)).toBe(a === b ? sign(keyA, keyB) : sign(a, b));
        for (const entry of [entryA, entryB]) {
          for (const char of entry) {
            expect(char >= '!' && char < HIGH).toBe(true);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps plain text as it is', () => {
    expect(encodeField('list-7')).toBe('5list-7!');
    expect(encodeField('a b')).toBe('5a"Cb!');
    expect(encodeField('~')).toBe('5}007e!');
  });
});
