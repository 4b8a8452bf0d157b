/** The small part of PouchDB's API the bench uses (the packages ship no types). */
declare module 'pouchdb' {
  namespace PouchDB {
    interface Doc {
      _id: string;
      _rev?: string;
      [field: string]: unknown;
    }
    interface Info {
      doc_count: number;
      update_seq: number | string;
    }
    interface ReplicationResult {
      ok: boolean;
      docs_written: number;
      last_seq: number | string;
    }
    interface Replication extends PromiseLike<ReplicationResult> {
      on(event: string, listener: (value: unknown) => void): Replication;
      cancel(): void;
    }
    interface Changes {
      on(
        event: 'change',
        listener: (change: { id: string; seq: number | string }) => void,
      ): Changes;
      on(event: string, listener: (value: unknown) => void): Changes;
      cancel(): void;
    }
    interface ReplicateOptions {
      live?: boolean;
      retry?: boolean;
      since?: number | string;
      batch_size?: number;
      batches_limit?: number;
      checkpoint?: false | 'source' | 'target';
    }
    interface Database {
      info(): Promise<Info>;
      bulkDocs(docs: Doc[]): Promise<{ ok?: boolean; error?: string }[]>;
      put(doc: Doc): Promise<{ ok: boolean; rev: string }>;
      get(id: string): Promise<Doc>;
      allDocs(options?: { include_docs?: boolean }): Promise<{ rows: { id: string; doc?: Doc }[] }>;
      changes(options: {
        live?: boolean;
        since?: 'now' | number | string;
        include_docs?: boolean;
      }): Changes;
      replicate: {
        from(source: string | Database, options?: ReplicateOptions): Replication;
        to(target: string | Database, options?: ReplicateOptions): Replication;
      };
      close(): Promise<void>;
      destroy(): Promise<void>;
    }
    interface Static {
      new (name: string, options?: { adapter?: string; prefix?: string }): Database;
      plugin(plugin: unknown): Static;
      defaults(options: { prefix?: string; adapter?: string }): Static;
    }
  }
  const PouchDB: PouchDB.Static;
  export default PouchDB;
}

declare module 'pouchdb-adapter-memory' {
  const plugin: unknown;
  export default plugin;
}

declare module 'express-pouchdb' {
  import type { RequestListener } from 'node:http';

  interface App extends RequestListener {
    listen(port: number, host: string, callback: () => void): import('node:http').Server;
  }
  function expressPouchdb(
    PouchDB: unknown,
    options?: { mode?: string; inMemoryConfig?: boolean; logPath?: string; configPath?: string },
  ): App;
  export default expressPouchdb;
}
