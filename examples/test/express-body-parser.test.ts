/**
 * Ferry mounted after `express.json()`: the parser has read the body, so Ferry would see an
 * empty one. It answers a 400 that says to mount Ferry before the body parser, instead of
 * "request body is not valid JSON: Unexpected end of JSON input".
 */
import type { Server } from 'node:http';
import { createClient, createMemoryStore, FerryHttpError } from '@ferry/client';
import {
  createFerryServer,
  createLogger,
  createPGliteDatabase,
  type FerryServer,
  nodeListener,
} from '@ferry/server';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressOf, exampleSecret } from '../shared.ts';

let ferry: FerryServer;
let close: () => Promise<void>;
let url: string;

beforeAll(async () => {
  const database = await createPGliteDatabase();
  ferry = await createFerryServer({
    database,
    jwtSecret: exampleSecret({}),
    logger: createLogger('silent'),
  });
  const app = express();
  // The mistake under test: a body parser in front of Ferry.
  app.use(express.json());
  app.use('/sync', nodeListener(ferry));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  url = `${addressOf(server)}/sync`;
  close = async () => {
    await ferry.close();
    await new Promise((r) => server.close(r));
    await database.close();
  };
});
afterAll(() => close());

describe('Ferry mounted after a body parser', () => {
  it('answers 400 invalid_request saying to mount Ferry before the body parser', async () => {
    const response = await fetch(`${url}/v1/pull`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await ferry.signToken({ userId: 'ann' }, 60)}`,
        'content-type': 'application/json',
      },
      body: '{"clientId":"c1","cursor":null}',
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.message).toMatch(/read before it reached Ferry/);
    expect(body.error.message).toMatch(/mount Ferry before any body parser/);
    expect(body.error.message).not.toMatch(/not valid JSON/);
  });

  it('shows the same advice to a client, whose sync fails without retrying', async () => {
    const token = await ferry.signToken({ userId: 'ann' }, 60);
    const client = createClient({ url, store: createMemoryStore(), getToken: () => token });
    const error = await client.sync().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FerryHttpError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_request' });
    expect((error as Error).message).toMatch(/mount Ferry before any body parser/);
    expect(client.getStatus().state).toBe('error');
    await client.close();
  });
});
