/**
 * The PostgreSQL settings PGlite starts with. PGlite's own are PostgreSQL's, made for a
 * database server with a machine to itself; in PGlite they cost this process's memory, and
 * WASM memory never shrinks: what PostgreSQL touches once stays resident.
 *
 * - `shared_buffers` (128 MB in PostgreSQL) is all resident from the start, since
 *   Emscripten zero-fills the shared memory it hands PostgreSQL. Pages beyond it are read
 *   from the data files through the operating system's cache, as on PostgreSQL, at a few
 *   microseconds a page.
 * - `wal_buffers` follows it (1/32 of it by default).
 * - `work_mem` (sorts and hashes, per operation) and `maintenance_work_mem` (index builds,
 *   VACUUM) grow the WASM heap to their size once a statement needs them, and it stays that
 *   large; Ferry's statements read index ranges and need neither.
 * - `max_connections` sizes per-connection tables in shared memory; PGlite has one.
 *
 * docs/server.md lists the values and what each saved.
 */
import { PGlite } from '@electric-sql/pglite';
import { FerryConfigError } from '../errors.ts';

export const PGLITE_SETTINGS: Readonly<Record<string, string>> = {
  shared_buffers: '16MB',
  work_mem: '2MB',
  maintenance_work_mem: '16MB',
  temp_buffers: '1MB',
  max_connections: '10',
};

const SETTING_NAME = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$/;

/** PGlite's start parameters: its own, then Ferry's settings, then `overrides` (later wins). */
export function pgliteStartParams(
  overrides: Readonly<Record<string, string | number>> = {},
): string[] {
  const settings = { ...PGLITE_SETTINGS, ...overrides };
  const params = [...PGlite.defaultStartParams];
  for (const [name, value] of Object.entries(settings)) {
    const text = String(value);
    if (!SETTING_NAME.test(name) || text === '' || /[\0\n\r]/.test(text)) {
      throw new FerryConfigError(
        `settings.${name}`,
        `"${name}" = "${text}" is not a PostgreSQL setting PGlite can start with: give a setting's name (e.g. shared_buffers) and a non-empty value on one line (e.g. "64MB").`,
      );
    }
    params.push('-c', `${name}=${text}`);
  }
  return params;
}
