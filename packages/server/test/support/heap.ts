/** The heap in use after full garbage collections, for tests that check memory comes back. */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export function heapAfterGc(): number {
  // Twice: the first pass can leave objects that finalizers only release for the second.
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
