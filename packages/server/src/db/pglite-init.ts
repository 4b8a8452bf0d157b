/**
 * A new PGlite data folder is made in a child process. PGlite makes one by running initdb
 * in this process, on a second WASM instance of PostgreSQL and a copy of its memory, and a
 * process never gets all of that back: a server that had just made its folder kept about
 * 170 MiB more, for as long as it ran, than the same server started on the folder made. In
 * a child, all of it goes when the child exits.
 *
 * The child writes into a new folder beside the data folder, which is renamed into place
 * once complete, so an interrupted first start leaves a stray `<dataDir>.initdb` folder
 * (removed by the next start) and never a half-made data folder. Where no child can be started (a runtime without a Node binary to run), PGlite
 * makes the folder in this process, as it always did.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { rename, rm, rmdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The file PostgreSQL writes into every data folder it has made. */
const MARKER = 'PG_VERSION';

/** Runs in the child: PGlite makes the folder given (argv[2]) and closes. */
const CHILD_SCRIPT = `require(process.argv[1]).PGlite.create(process.argv[2])
  .then((db) => db.close())
  .catch((error) => { console.error(error); process.exit(1); });`;

/** True when `dataDir` holds a data folder PostgreSQL has made. */
export function isDataDirMade(dataDir: string): boolean {
  return existsSync(join(dataDir, MARKER));
}

function isEmptyOrMissing(dir: string): boolean {
  try {
    return readdirSync(dir).length === 0;
  } catch {
    return !existsSync(dir);
  }
}

function runChild(target: string): Promise<void> {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CHILD_SCRIPT, entry, target], {
      stdio: ['ignore', 'ignore', 'pipe'],
      // Electron's binary runs as Node with this; Node ignores it.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`initdb child ended with ${signal ?? code}: ${stderr.trim()}`));
    });
  });
}

/**
 * Makes a new data folder in `dataDir` in a child process when it has none and is empty or
 * missing. Returns whether it did; when it did not, PGlite makes the folder itself.
 */
export async function makeDataDirInChild(dataDir: string): Promise<boolean> {
  if (isDataDirMade(dataDir) || !isEmptyOrMissing(dataDir)) return false;
  const fresh = `${dataDir}.initdb`;
  await rm(fresh, { recursive: true, force: true });
  try {
    await runChild(fresh);
    if (!isDataDirMade(fresh)) return false;
    if (existsSync(dataDir)) await rmdir(dataDir);
    await rename(fresh, dataDir);
    return true;
  } catch {
    return false;
  } finally {
    await rm(fresh, { recursive: true, force: true });
  }
}
