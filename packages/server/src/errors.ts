/**
 * The errors the server library throws at the app that embeds it. Each is a named `Error`
 * subclass whose message says what is wrong and how to fix it, with a stable `code` to
 * branch on where `instanceof` cannot be trusted (two copies of the package, logs).
 *
 * These are not the protocol's errors: what a client sends wrongly is a `FerryError` with
 * a protocol code and a 4xx status (see http/responses.ts). If one of these is thrown while
 * serving a request (an app hook returning something unusable, a database that was never
 * migrated), the HTTP boundary answers 500 `internal` and logs this error in full, since
 * the client did nothing wrong and only the app's developer can fix it.
 */

/** Why the server was set up wrongly. */
export type FerryConfigErrorCode =
  /** An option's value, or a combination of options, that cannot work. */
  | 'invalid_option'
  /** A function the app passed (an authenticator, a rule) returned something Ferry cannot use. */
  | 'invalid_hook_result';

/** The server was set up wrongly: fix the option the message and `option` name. */
export class FerryConfigError extends Error {
  override readonly name = 'FerryConfigError';
  readonly code: FerryConfigErrorCode;
  /** The option at fault as the app spells it, e.g. `basePath`, `webPush.subject`, `--port`. */
  readonly option: string;

  constructor(
    option: string,
    message: string,
    options?: { code?: FerryConfigErrorCode; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.option = option;
    this.code = options?.code ?? 'invalid_option';
  }
}

/** Why the database cannot serve Ferry. */
export type FerryStorageErrorCode =
  /** Ferry's tables or their seed rows are missing. */
  'database_not_migrated';

/** The database does not hold what Ferry needs; the message says how to set it up. */
export class FerryStorageError extends Error {
  override readonly name = 'FerryStorageError';
  readonly code: FerryStorageErrorCode;

  constructor(code: FerryStorageErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** A database with a required row missing: its migrations were skipped or undone. */
export function notMigrated(row: string): FerryStorageError {
  return new FerryStorageError(
    'database_not_migrated',
    `The ${row} row is missing, so Ferry's tables were not created or were changed by hand. Start the server with migrate left on (the default) once against this database or schema, or restore Ferry's tables.`,
  );
}
