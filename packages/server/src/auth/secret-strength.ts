/**
 * Whether a shared secret (an HS256 signing secret, a metrics token) is strong enough to
 * stand against guessing. A secret's randomness cannot be measured from one sample, only
 * estimated from above: this refuses secrets that are short, use few characters, or are
 * mostly repetition or runs (`aaaa…`, `abab…`, `0123456789012…`), which is what a secret
 * typed by hand usually is. A secret made by `openssl rand -base64 48` passes with a wide
 * margin, and so does `openssl rand -hex 32`.
 *
 * The estimate: each character is worth log2 of the smallest common alphabet holding all
 * of the secret's characters (digits 3.3 bits, hex 4, lower-case letters and digits 5.2,
 * letters and digits 5.95, base64 6, printable ASCII 6.6, anything else 8), and a character
 * that repeats an earlier stretch of 6 or more, or continues a run of 5 or more with a
 * constant step (`abcde`, `13579`), is worth nothing.
 */

/** HS256 keys shorter than this are brute-forceable. */
export const MIN_SECRET_BYTES = 32;
/** Fewer different characters than this is a pattern, not a random string. */
export const MIN_SECRET_DISTINCT_CHARACTERS = 10;
/** The least estimated entropy of a secret. */
export const MIN_SECRET_BITS = 128;

/** How to make a secret that passes, for error messages. */
export const SECRET_ADVICE = 'generate one with `openssl rand -base64 48`';

const REPEAT_LENGTH = 6;
const RUN_LENGTH = 5;

const ALPHABETS: readonly [RegExp, number][] = [
  [/^[0-9]+$/, 10],
  [/^[0-9a-f]+$/, 16],
  [/^[0-9A-F]+$/, 16],
  [/^[a-z]+$/, 26],
  [/^[A-Z]+$/, 26],
  [/^[0-9a-z]+$/, 36],
  [/^[0-9A-Z]+$/, 36],
  [/^[0-9A-Za-z]+$/, 62],
  [/^[0-9A-Za-z+/=_-]+$/, 64],
  [/^[\x20-\x7e]+$/, 95],
];

function bitsPerCharacter(characters: readonly string[]): number {
  const text = characters.join('');
  for (const [pattern, size] of ALPHABETS) if (pattern.test(text)) return Math.log2(size);
  return 8;
}

/** Whether `characters[i - RUN_LENGTH + 1 … i]` step by one constant amount. */
function endsRun(codes: readonly number[], i: number): boolean {
  if (i < RUN_LENGTH - 1) return false;
  const step = codes[i]! - codes[i - 1]!;
  for (let j = i - 1; j > i - RUN_LENGTH + 1; j--) {
    if (codes[j]! - codes[j - 1]! !== step) return false;
  }
  return true;
}

/** The estimated entropy of a secret in bits (see the top of this file). */
export function estimatedSecretBits(secret: string): number {
  const characters = [...secret];
  const codes = characters.map((c) => c.codePointAt(0)!);
  // Stretches of REPEAT_LENGTH characters seen so far (a surrogate pair is one character).
  const seen = new Set<string>();
  let fresh = 0;
  for (let i = 0; i < characters.length; i++) {
    const stretch = characters.slice(Math.max(0, i - REPEAT_LENGTH + 1), i + 1).join('\u0000');
    const repeated = i >= REPEAT_LENGTH - 1 && seen.has(stretch);
    if (i >= REPEAT_LENGTH - 1) seen.add(stretch);
    if (!repeated && !endsRun(codes, i)) fresh++;
  }
  return fresh * bitsPerCharacter(characters);
}

/** Why a secret is too weak, or undefined when it is strong enough. */
export function secretWeakness(secret: string): string | undefined {
  const bytes = Buffer.byteLength(secret, 'utf8');
  if (bytes < MIN_SECRET_BYTES) {
    return `it is ${bytes} bytes long; it must be at least ${MIN_SECRET_BYTES} bytes`;
  }
  const distinct = new Set(secret).size;
  if (distinct < MIN_SECRET_DISTINCT_CHARACTERS) {
    return `it uses ${distinct} different characters; a random secret uses at least ${MIN_SECRET_DISTINCT_CHARACTERS}`;
  }
  const bits = Math.floor(estimatedSecretBits(secret));
  if (bits < MIN_SECRET_BITS) {
    return `it is too predictable (repeats, runs or a small alphabet): about ${bits} bits of entropy, and it needs ${MIN_SECRET_BITS}`;
  }
  return undefined;
}
