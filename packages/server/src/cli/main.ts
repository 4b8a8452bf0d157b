#!/usr/bin/env node
/** The `ferry` command. */
import { FerryConfigError } from '../errors.ts';
import { runAgent } from './agent.ts';
import { parseServeConfig, SERVE_HELP } from './config.ts';
import { serve } from './serve.ts';

const USAGE = `Usage: ferry <command> [options]

Commands:
  serve     run the sync server (see: ferry serve --help)
  agent     keep a local SQLite file in sync with a server (see: ferry agent --help; needs @ferry/node)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? 1 : 0;
  }
  if (command === 'agent') return runAgent(rest);
  if (command !== 'serve') {
    process.stderr.write(`Unknown command "${command}".\n\n${USAGE}`);
    return 1;
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  const config = parseServeConfig(rest, process.env);
  const running = await serve(config, {
    line: (text) => process.stdout.write(`${text}\n`),
    warn: (text) => process.stderr.write(`${text}\n`),
  });
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stdout.write(
        `Received ${signal}; finishing requests in flight and closing the database…\n`,
      );
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await running.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A setup mistake is told as its message alone: the stack would only hide the fix.
    if (error instanceof FerryConfigError) process.stderr.write(`ferry: ${error.message}\n`);
    else
      process.stderr.write(
        `ferry: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    process.exitCode = 1;
  },
);
