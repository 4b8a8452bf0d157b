/**
 * Commands run the way a user runs them in their own project: `npm`, `npx` and `node` as
 * child processes, without the variables `npm test` and Vitest export to the suite
 * (`npm_config_local_prefix` alone would point a nested npm back at this repository, and
 * `NODE_ENV=test` would change what a build produces).
 */
import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const SUITE_VARIABLES = /^(npm_.*|INIT_CWD|VITEST.*|TEST|NODE_ENV)$/i;

export function userEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!SUITE_VARIABLES.test(name)) env[name] = value;
  }
  return { ...env, ...extra };
}

/** Runs a command to its end; never throws for a non-zero exit, so tests can show the output. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: userEnvironment(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Like `runCommand`, but a failure throws with everything the command printed. */
export async function runChecked(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<CommandResult> {
  const result = await runCommand(command, args, options);
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} (in ${options.cwd}) exited with ${result.code}\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}
