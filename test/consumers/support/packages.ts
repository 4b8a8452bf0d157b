/**
 * Ferry's packages as npm publishes them: `npm pack` of the workspace, whose dist/ the
 * suite's global setup has just compiled. Consumers install these tarballs and nothing
 * else of the repository.
 */
import { fileURLToPath } from 'node:url';
import { runChecked } from './npm.ts';

export const REPOSITORY = fileURLToPath(new URL('../../..', import.meta.url));

export const FERRY_PACKAGES = [
  '@ferry/protocol',
  '@ferry/client',
  '@ferry/testing',
  '@ferry/server',
  '@ferry/sqlite',
  '@ferry/node',
  '@ferry/browser',
  '@ferry/react-native',
] as const;

export type FerryPackage = (typeof FERRY_PACKAGES)[number];

export interface PackedFile {
  path: string;
}

export interface Packed {
  name: FerryPackage;
  /** Absolute path of the tarball. */
  tarball: string;
  /** Paths inside the package, as `npm pack` lists them. */
  files: string[];
}

/** Packs `names` into `destination` with one `npm pack` of those workspaces. */
export async function packPackages(
  names: readonly FerryPackage[],
  destination: string,
): Promise<Map<FerryPackage, Packed>> {
  const args = ['pack', '--json', '--pack-destination', destination];
  for (const name of names) args.push('--workspace', name);
  const { stdout } = await runChecked('npm', args, { cwd: REPOSITORY });
  const listed = JSON.parse(stdout) as {
    name: FerryPackage;
    filename: string;
    files: PackedFile[];
  }[];
  return new Map(
    listed.map((entry) => [
      entry.name,
      {
        name: entry.name,
        tarball: `${destination}/${entry.filename}`,
        files: entry.files.map((file) => file.path),
      },
    ]),
  );
}
