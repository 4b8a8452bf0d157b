/**
 * Mistakes in how the app sets up the server are thrown as FerryConfigError or
 * FerryStorageError: a class and a stable code to branch on, the option at fault, and a
 * message that says how to fix it. Mistakes made while serving still answer the client
 * with a protocol error, never with one of these.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFerryServer,
  createJwtAuth,
  createPGliteDatabase,
  createPostgresDatabase,
  customAuth,
  type Database,
  FerryConfigError,
  type FerryServerOptions,
  FerryStorageError,
} from '../src/index.ts';
import { TEST_SECRET } from './support/server.ts';

const silent = pino({ level: 'silent' });
// One database for every test that needs only a working one: each PGlite takes seconds to open.
let shared: Database;

beforeAll(async () => {
  shared = await createPGliteDatabase();
});

afterAll(async () => {
  await shared.close();
});

async function serverWith(options: Partial<FerryServerOptions>) {
  return createFerryServer({
    database: shared,
    jwtSecret: TEST_SECRET,
    logger: silent,
    ...options,
  });
}

/** The error a promise rejects with, to assert on several of its properties at once. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (error: unknown) => error,
  );
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return expect.unreachable('expected a throw');
}

describe('FerryConfigError', () => {
  it('names a missing secret and how to make one', async () => {
    const error = await rejection(serverWith({ jwtSecret: undefined }));
    expect(error).toBeInstanceOf(FerryConfigError);
    expect(error).toMatchObject({
      name: 'FerryConfigError',
      code: 'invalid_option',
      option: 'auth',
    });
    expect((error as Error).message).toMatch(/give jwtSecret/);
    expect((error as Error).message).toMatch(/openssl rand/);
  });

  it('refuses both auth and jwtSecret, saying to give one', async () => {
    const error = await rejection(serverWith({ auth: { secret: TEST_SECRET } }));
    expect(error).toMatchObject({ code: 'invalid_option', option: 'auth' });
    expect((error as Error).message).toMatch(/give only one/);
  });

  it('says to await createJwtAuth when given its promise', async () => {
    const pending = createJwtAuth({ secret: TEST_SECRET });
    const error = await rejection(
      // A missing await, as JavaScript callers (or a cast) can write it.
      serverWith({ jwtSecret: undefined, auth: pending as unknown as FerryServerOptions['auth'] }),
    );
    expect(error).toMatchObject({ code: 'invalid_option', option: 'auth' });
    expect((error as Error).message).toMatch(/await createJwtAuth/);
  });

  it('says how long a short secret is and how long it must be', async () => {
    const error = await rejection(createJwtAuth({ secret: 'too-short' }));
    expect(error).toBeInstanceOf(FerryConfigError);
    expect(error).toMatchObject({ code: 'invalid_option', option: 'secret' });
    expect((error as Error).message).toMatch(/9 bytes long; it must be at least 32 bytes/);
  });

  it('says what a public key must look like when it cannot be read', async () => {
    const error = await rejection(createJwtAuth({ publicKey: 'not a key', algorithms: ['RS256'] }));
    expect(error).toMatchObject({ code: 'invalid_option', option: 'publicKey' });
    expect((error as Error).message).toMatch(/-----BEGIN PUBLIC KEY-----/);
    expect((error as Error).cause).toBeInstanceOf(Error);
  });

  it('asks for a JWKS URL in full', async () => {
    const error = await rejection(createJwtAuth({ jwksUrl: '/.well-known/jwks.json' }));
    expect(error).toMatchObject({ code: 'invalid_option', option: 'jwksUrl' });
    expect((error as Error).message).toMatch(/e\.g\. "https:\/\/issuer\.example/);
  });

  it('shows a well-formed basePath next to a bad one', async () => {
    const error = await rejection(serverWith({ basePath: 'sync' }));
    expect(error).toMatchObject({ code: 'invalid_option', option: 'basePath' });
    expect((error as Error).message).toMatch(/basePath is "sync".*e\.g\. "\/sync"/);
  });

  it('refuses dev mode without a secret to sign its tokens', async () => {
    const auth = customAuth(async () => ({ userId: 'alice', spaces: ['alice'] }));
    const error = await rejection(serverWith({ jwtSecret: undefined, auth, dev: true }));
    expect(error).toMatchObject({ code: 'invalid_option', option: 'dev' });
    expect((error as Error).message).toMatch(/give jwtSecret .* or turn dev off/);
  });

  it('refuses signToken on a server that cannot sign', async () => {
    const auth = customAuth(async () => ({ userId: 'alice', spaces: ['alice'] }));
    const server = await serverWith({ jwtSecret: undefined, auth });
    const error = await rejection(
      Promise.resolve().then(() => server.signToken({ userId: 'alice' }, 60)),
    );
    await server.close();
    expect(error).toMatchObject({ name: 'FerryConfigError', option: 'jwtSecret' });
    expect((error as Error).message).toMatch(/create the server with jwtSecret/);
  });

  it('names the web push key that came without its pair', async () => {
    const error = await rejection(serverWith({ webPush: { publicKey: 'only-half' } }));
    expect(error).toMatchObject({ code: 'invalid_option', option: 'webPush.privateKey' });
    expect((error as Error).message).toMatch(/give both publicKey and privateKey/);
  });

  it('refuses a rate limit that would refuse everything', async () => {
    const error = await rejection(
      serverWith({ clientRateLimit: { requestsPerSecond: 0, burst: 5 } }),
    );
    expect(error).toMatchObject({ code: 'invalid_option', option: 'clientRateLimit' });
    expect((error as Error).message).toMatch(/leave clientRateLimit out/);
  });

  it('refuses a PostgreSQL schema that is not a plain identifier before connecting', () => {
    const error = thrown(() =>
      createPostgresDatabase({
        connectionString: 'postgres://nowhere.invalid/x',
        schema: 'My-App',
      }),
    );
    expect(error).toBeInstanceOf(FerryConfigError);
    expect(error).toMatchObject({ code: 'invalid_option', option: 'schema' });
    expect((error as Error).message).toMatch(/a-z, 0-9 and _/);
  });

  it('blames the authenticate hook for a bad answer, and the client gets a 500 it can retry', async () => {
    const authenticate = customAuth(async () => ({ userId: '', spaces: ['ok', 'not ok'] }));
    const error = await rejection(
      authenticate.authenticate(new Request('http://ferry.test/v1/pull'), {
        allowQueryToken: false,
      }),
    );
    expect(error).toMatchObject({
      name: 'FerryConfigError',
      code: 'invalid_hook_result',
      option: 'authenticate',
    });
    expect((error as Error).message).toMatch(/or null when the request is not signed in/);

    const server = await serverWith({ jwtSecret: undefined, auth: authenticate });
    const response = await server.fetch(
      new Request('http://ferry.test/v1/pull', { method: 'POST', body: '{}' }),
    );
    await server.close();
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      error: { code: 'internal', message: 'internal server error' },
    });
  });

  it('blames beforeWrite for a value returned for a delete', async () => {
    const server = await serverWith({
      rules: { beforeWrite: () => ({ value: { replaced: true } }) },
    });
    const error = await rejection(
      server.write([{ space: 's', collection: 'notes', key: 'n1', op: 'delete' }]),
    );
    await server.close();
    expect(error).toMatchObject({
      name: 'FerryConfigError',
      code: 'invalid_hook_result',
      option: 'rules.beforeWrite',
    });
    expect((error as Error).message).toMatch(/Return \{ reject \} to refuse the delete/);
  });
});

describe('FerryStorageError', () => {
  it('says to run the migrations when Ferry’s rows are missing', async () => {
    const database = await createPGliteDatabase();
    const server = await createFerryServer({ database, jwtSecret: TEST_SECRET, logger: silent });
    await database.query('DELETE FROM ferry_server');
    const error = await rejection(
      server.write([{ space: 's', collection: 'notes', key: 'n1', op: 'put', value: {} }]),
    );
    await server.close();
    await database.close();
    expect(error).toBeInstanceOf(FerryStorageError);
    expect(error).toMatchObject({ name: 'FerryStorageError', code: 'database_not_migrated' });
    expect((error as Error).message).toMatch(/ferry_server row is missing.*migrate left on/);
  });
});
