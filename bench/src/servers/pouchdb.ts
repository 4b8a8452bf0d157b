/// <reference path="../pouchdb.d.ts" />
/**
 * PouchDB's CouchDB-protocol server in Node: `express-pouchdb` over PouchDB's LevelDB
 * adapter, each space a database (CouchDB's usual one-database-per-user layout). It keeps
 * its data in LevelDB whatever database the run asked for. No authentication (admin party).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import expressPouchdb from 'express-pouchdb';
import PouchDB from 'pouchdb';
import type { ServerSystem } from './types.ts';

export async function startPouchServer(): Promise<ServerSystem> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-bench-pouch-'));
  const Server = PouchDB.defaults({ prefix: `${dir}/` });
  const app = expressPouchdb(Server, {
    mode: 'minimumForPouchDB',
    inMemoryConfig: true,
    logPath: join(dir, 'log.txt'),
  });
  const databases = new Map<string, PouchDB.Database>();
  const open = (space: string) => {
    let db = databases.get(space);
    if (!db) {
      db = new Server(space);
      databases.set(space, db);
    }
    return db;
  };
  const serve = async (on: number) => {
    const server = await new Promise<Server>((resolve) => {
      const listening = app.listen(on, '127.0.0.1', () => resolve(listening));
    });
    server.maxConnections = 100_000;
    return server;
  };
  let http = await serve(0);
  const { port } = http.address() as AddressInfo;
  const stopListening = async () => {
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  };

  return {
    url: `http://127.0.0.1:${port}`,
    async seed(space, chunks) {
      const db = open(space);
      for (const records of chunks) {
        const results = await db.bulkDocs(records.map((r) => ({ _id: r.key, ...r.value })));
        if (results.some((r) => r.error)) throw new Error('seeding PouchDB failed');
      }
    },
    async count(spaces) {
      let total = 0;
      for (const space of spaces) total += (await open(space).info()).doc_count;
      return total;
    },
    async head(space) {
      return (await open(space).info()).update_seq;
    },
    async commitOne(space, record) {
      await open(space).put({ _id: record.key, ...record.value });
    },
    credential: async () => '',
    async outage(downMs) {
      await stopListening();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      http = await serve(port);
    },
    async close() {
      await stopListening();
      for (const db of databases.values()) await db.close().catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
