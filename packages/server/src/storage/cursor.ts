/**
 * Pull cursors. Opaque to clients; inside they name the database that issued them, the
 * version read up to, and the set of spaces they cover, so that a cursor from another
 * server, or for a different set of spaces, is detected and answered with a reset rather
 * than silently skipping data.
 */
import { createHash } from 'node:crypto';

export interface CursorPosition {
  serverId: string;
  version: number;
  spacesHash: string;
}

const PREFIX = 'c1';

export function hashSpaces(spaces: readonly string[]): string {
  const canonical = [...spaces].sort().join('\n');
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

export function encodeCursor(position: CursorPosition): string {
  const raw = `${PREFIX}.${position.serverId}.${position.version}.${position.spacesHash}`;
  return Buffer.from(raw, 'utf8').toString('base64url');
}

/** The position inside a cursor, or undefined when it is not one of ours. */
export function decodeCursor(cursor: string): CursorPosition | undefined {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  const [prefix, serverId, version, spacesHash, ...rest] = raw.split('.');
  if (prefix !== PREFIX || !serverId || !spacesHash || rest.length > 0) return undefined;
  if (!/^\d{1,16}$/.test(version ?? '')) return undefined;
  const n = Number(version);
  return Number.isSafeInteger(n) ? { serverId, version: n, spacesHash } : undefined;
}
