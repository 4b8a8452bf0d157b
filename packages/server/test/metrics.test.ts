import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from './support/databases.ts';
import { type RunningServer, startServer } from './support/server.ts';

describe.each(DATABASE_KINDS)('metrics on $name', (kind) => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(kind);
  });
  afterAll(() => server.stop());

  it('counts requests by route and status, mutations by outcome, and shows the database pool', async () => {
    const token = await server.token('mo');
    const mutations = [
      { id: 1, space: 'mo', collection: 'c', key: 'a', op: 'put', value: {} },
      { id: 2, space: 'other', collection: 'c', key: 'b', op: 'put', value: {} },
    ];
    await server.post('/v1/push', { clientId: 'c-metrics', mutations }, token);
    await server.post('/v1/push', { clientId: 'c-metrics', mutations }, token);
    await server.post('/v1/pull', { clientId: 'c-metrics', cursor: null }, token);
    await server.post('/v1/pull', { clientId: 'c-metrics' }, undefined);
    const response = await fetch(`${server.url}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(
      /ferry_http_requests_total\{route="\/v1\/push",method="POST",status="200"\} 2/,
    );
    expect(text).toMatch(
      /ferry_http_requests_total\{route="\/v1\/pull",method="POST",status="401"\} 1/,
    );
    expect(text).toMatch(/ferry_mutations_total\{status="applied"\} 1/);
    expect(text).toMatch(/ferry_mutations_total\{status="rejected"\} 1/);
    expect(text).toMatch(/ferry_mutations_total\{status="duplicate"\} 2/);
    expect(text).toMatch(
      /ferry_http_request_duration_seconds_bucket\{le="[^"]+",route="\/v1\/pull"\}/,
    );
    if (kind.name === 'postgres')
      expect(text).toMatch(/ferry_db_pool_connections\{state="total"\} [1-9]/);
  });
});
