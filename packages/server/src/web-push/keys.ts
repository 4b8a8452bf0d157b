/**
 * A subscription's keys (RFC 8291): `p256dh`, the browser's ECDH public key, an
 * uncompressed P-256 point (65 bytes, starting 0x04, on the curve), and `auth`, a 16-byte
 * secret, both in base64url. A key that is not a point on the curve can never be
 * encrypted to, so it is refused when subscribing and such a subscription is dropped
 * before sending.
 */
import { ECDH } from 'node:crypto';

const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;
export const P256DH_BYTES = 65;
export const AUTH_BYTES = 16;

function bytes(value: string): Buffer | undefined {
  return BASE64URL.test(value) ? Buffer.from(value, 'base64url') : undefined;
}

/** Why `p256dh` is not a usable key, or undefined when it is. */
export function p256dhProblem(value: unknown): string | undefined {
  const key = typeof value === 'string' ? bytes(value) : undefined;
  if (key === undefined || key.length !== P256DH_BYTES || key[0] !== 0x04)
    return `keys.p256dh must be an uncompressed P-256 public key (${P256DH_BYTES} bytes starting 0x04) in base64url, as PushSubscription.toJSON() gives`;
  try {
    // Throws for coordinates that are not a point on the curve.
    ECDH.convertKey(key, 'prime256v1');
  } catch {
    return 'keys.p256dh is not a point on the P-256 curve, so no message could be encrypted to it';
  }
  return undefined;
}

/** Why `auth` is not a usable secret, or undefined when it is. */
export function authProblem(value: unknown): string | undefined {
  const secret = typeof value === 'string' ? bytes(value) : undefined;
  if (secret === undefined || secret.length !== AUTH_BYTES)
    return `keys.auth must be ${AUTH_BYTES} bytes in base64url, as PushSubscription.toJSON() gives`;
  return undefined;
}
