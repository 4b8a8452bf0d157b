import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FILE_NAME = 'dev-jwt-secret';

/**
 * The dev-mode signing secret: generated on first start and kept in the data folder, so
 * tokens minted before a restart stay valid after it.
 */
export function loadOrCreateDevSecret(dataDir: string): { secret: string; created: boolean } {
  const path = join(dataDir, FILE_NAME);
  if (existsSync(path)) return { secret: readFileSync(path, 'utf8').trim(), created: false };
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  return { secret, created: true };
}
