/**
 * Tokens whose signature and claims were verified recently, so a client's every request
 * does not pay for the signature again: a sync is a push and a pull or two, all with the
 * same token. An entry is kept until the token's `exp` and at most `maxAgeMs`, so a key
 * withdrawn from a JWKS stops its tokens within that time; the number of entries is
 * bounded, the least recently used dropped first.
 */
import type { JWTPayload } from 'jose';

export interface VerifiedTokensOptions {
  /** Longest a verified token is trusted without checking its signature again; default 60 000. */
  maxAgeMs?: number;
  /** Most tokens kept; default 10 000. */
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  claims: JWTPayload;
  expiresAtMs: number;
}

export class VerifiedTokens {
  private readonly entries = new Map<string, Entry>();
  private readonly maxAgeMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: VerifiedTokensOptions = {}) {
    this.maxAgeMs = options.maxAgeMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** The claims of a token verified earlier and still valid, or undefined. */
  get(token: string): JWTPayload | undefined {
    const hit = this.entries.get(token);
    if (!hit) return undefined;
    this.entries.delete(token);
    if (hit.expiresAtMs <= this.now()) return undefined;
    // Re-inserted so the Map's order is least recently used first.
    this.entries.set(token, hit);
    return hit.claims;
  }

  /** Remembers a token that has just been verified. */
  add(token: string, claims: JWTPayload): void {
    const now = this.now();
    const untilExp = typeof claims.exp === 'number' ? claims.exp * 1000 : Number.POSITIVE_INFINITY;
    const expiresAtMs = Math.min(untilExp, now + this.maxAgeMs);
    if (expiresAtMs <= now) return;
    this.entries.delete(token);
    this.entries.set(token, { claims, expiresAtMs });
    while (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
