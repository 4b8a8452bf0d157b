/**
 * Removes every package's `dist/`. `tsc -b` never deletes the output of a source file that was
 * renamed or removed, so a release builds from an empty `dist/` to publish no stale module.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const packagesDir = join(import.meta.dirname, '..', 'packages');
for (const name of readdirSync(packagesDir)) {
  rmSync(join(packagesDir, name, 'dist'), { recursive: true, force: true });
}
console.log(`removed dist/ of ${readdirSync(packagesDir).length} packages`);
