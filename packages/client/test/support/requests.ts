/** Request bodies the fake server received, by route. */
import type { PullRequest, PushRequest } from '@ferry/protocol';
import type { FakeServer } from './fake-server.ts';

export const pushBodies = (server: FakeServer) =>
  server.requests.filter((r) => r.route === 'push').map((r) => r.body as PushRequest);
export const pullBodies = (server: FakeServer) =>
  server.requests.filter((r) => r.route === 'pull').map((r) => r.body as PullRequest);
