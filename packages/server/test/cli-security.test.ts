/**
 * `ferry serve`'s security controls, on the compiled command over real HTTP. Regressions:
 * tokens of another issuer or audience, without `exp` or with `exp` = 1e20 were accepted;
 * `/metrics` answered anyone on the public address; dev mode answered
 * `Host: attacker.example`, ran on 0.0.0.0 or on a PostgreSQL URL with nothing but a
 * suffix on one log line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { requestWithHost } from './support/host-request.ts';

const FERRY = new URL('../bin/ferry.mjs', import.meta.url).pathname;
const SECRET = randomBytes(48).toString('base64');

interface Process {
  child: ChildProcess;
  output: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const folders: string[] = [];
const running: Process[] = [];

function run(args: string[], env: Record<string, string> = {}): Process {
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-cli-security-'));
  folders.push(dataDir);
  const child = spawn(process.execPath, [FERRY, ...args], {
    env: { PATH: process.env.PATH ?? '', FERRY_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const proc = { child, output: () => output, stderr: () => stderr, exited };
  running.push(proc);
  return proc;
}

/** Starts `ferry serve` and resolves with its base URL once it listens. */
async function serve(
  args: string[],
  env: Record<string, string> = {},
): Promise<Process & { url: string }> {
  const proc = run(['serve', '--port', '0', ...args], env);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const match = /listening on (http:\/\/\S+)/.exec(proc.output());
    // Bound to every interface, it says so and gives a local URL: the first one is enough.
    if (match) return { ...proc, url: match[1]!.replace('0.0.0.0', '127.0.0.1') };
    if (proc.child.exitCode !== null || Date.now() > deadline)
      throw new Error(`ferry serve did not start:\n${proc.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

afterAll(async () => {
  for (const proc of running) {
    if (proc.child.exitCode === null) proc.child.kill('SIGTERM');
    await proc.exited;
  }
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const now = () => Math.floor(Date.now() / 1000);

function token(claims: Record<string, unknown>) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('alice')
    .sign(new TextEncoder().encode(SECRET));
}

async function pull(url: string, bearer: string): Promise<number> {
  const response = await fetch(`${url}/v1/pull`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: JSON.stringify({ clientId: 'c-cli', cursor: null }),
  });
  await response.body?.cancel();
  return response.status;
}

describe('ferry serve tokens', () => {
  it('checks iss and aud from --jwt-issuer and FERRY_JWT_AUDIENCE, and refuses tokens that never expire or live too long', async () => {
    const server = await serve(
      ['--jwt-issuer', 'https://id.example/', '--max-token-lifetime', '7200'],
      { FERRY_JWT_SECRET: SECRET, FERRY_JWT_AUDIENCE: 'my-app', HOST: '127.0.0.1' },
    );
    const good = { iss: 'https://id.example/', aud: 'my-app', iat: now(), exp: now() + 3600 };
    expect(await pull(server.url, await token(good))).toBe(200);
    expect(await pull(server.url, await token({ ...good, iss: 'https://evil.example/' }))).toBe(
      401,
    );
    expect(await pull(server.url, await token({ ...good, aud: 'another-app' }))).toBe(401);
    const { iss, aud } = good;
    expect(await pull(server.url, await token({ iss, aud, iat: now() }))).toBe(401);
    expect(await pull(server.url, await token({ iss, aud, iat: now(), exp: 1e20 }))).toBe(401);
    expect(await pull(server.url, await token({ ...good, exp: now() + 3 * 3600 }))).toBe(401);
  });
});

describe('ferry serve /metrics', () => {
  it('is not served on the public address in production without a token or an address of its own', async () => {
    const server = await serve([], { FERRY_JWT_SECRET: SECRET, HOST: '127.0.0.1' });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    expect(server.output()).toMatch(/Metrics: not served \(give --metrics-listen/);
  });

  it('needs the token from --metrics-token', async () => {
    const metricsToken = randomBytes(48).toString('base64');
    const server = await serve(['--metrics-token', metricsToken], {
      FERRY_JWT_SECRET: SECRET,
      HOST: '127.0.0.1',
    });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const allowed = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${metricsToken}` },
    });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toMatch(/ferry_http_requests_total/);
  });

  it('is served only on FERRY_METRICS_LISTEN when given', async () => {
    const server = await serve([], {
      FERRY_JWT_SECRET: SECRET,
      HOST: '127.0.0.1',
      FERRY_METRICS_LISTEN: '127.0.0.1:0',
    });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    const separate = /Metrics: (http:\/\/\S+\/metrics)/.exec(server.output())?.[1];
    expect(separate).toBeDefined();
    const scraped = await fetch(separate!);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toMatch(/ferry_http_requests_total/);
    expect((await fetch(separate!.replace('/metrics', '/v1/pull'))).status).toBe(404);
  });
});

describe('ferry serve --dev', () => {
  it('answers localhost but refuses Host: attacker.example, and prints a banner on stderr', async () => {
    const server = await serve(['--dev']);
    const body = { method: 'POST', body: '{"user":"alice"}' };
    const refused = await requestWithHost(server.url, '/v1/dev/token', 'attacker.example', body);
    expect(refused.status).toBe(403);
    expect(refused.json().error.message).toMatch(/DNS rebinding/);
    const port = new URL(server.url).port;
    const minted = await requestWithHost(server.url, '/v1/dev/token', `localhost:${port}`, body);
    expect(minted.status).toBe(200);
    // stderr is a pipe of its own: its lines may arrive after stdout's.
    await expect.poll(() => server.stderr()).toMatch(/Never let it face the internet/);
    expect(server.stderr()).toMatch(/FERRY DEV MODE/);
    expect(server.stderr()).toMatch(/POST \/v1\/dev\/token gives a token for ANY user/);
    expect(server.stderr()).toMatch(/Never let it face the internet/);
  });

  it('refuses to start on a non-loopback HOST or with a DATABASE_URL without --dev-unsafe', async () => {
    const onNetwork = run(['serve', '--dev', '--port', '0'], { HOST: '0.0.0.0' });
    expect(await onNetwork.exited).toBe(1);
    expect(onNetwork.output()).toMatch(/--host \(HOST\) is "0.0.0.0".*--dev-unsafe/s);
    const onPostgres = run(['serve', '--port', '0'], {
      FERRY_DEV: 'yes',
      DATABASE_URL: 'postgres://app@db.example/production',
    });
    expect(await onPostgres.exited).toBe(1);
    expect(onPostgres.output()).toMatch(/DATABASE_URL.*--dev-unsafe/s);
  });

  it('starts on 0.0.0.0 with --dev-unsafe, says so, and still refuses other names', async () => {
    const server = await serve(['--dev', '--host', '0.0.0.0'], { FERRY_DEV_UNSAFE: '1' });
    await expect.poll(() => server.stderr()).toMatch(/--dev-unsafe: bound to 0\.0\.0\.0/);
    const port = new URL(server.url).port;
    const body = { method: 'POST', body: '{"user":"alice"}' };
    // The address a phone on the developer's network would use.
    const lan = await requestWithHost(server.url, '/v1/dev/token', `192.168.1.20:${port}`, body);
    expect(lan.status).toBe(200);
    const refused = await requestWithHost(server.url, '/v1/dev/token', 'attacker.example', body);
    expect(refused.status).toBe(403);
  });
});

describe('ferry serve --help', () => {
  it('shows every security control with its environment variable', async () => {
    const help = run(['serve', '--help']);
    expect(await help.exited).toBe(0);
    for (const control of [
      '--jwt-issuer',
      'FERRY_JWT_ISSUER',
      '--jwt-audience',
      'FERRY_JWT_AUDIENCE',
      '--max-token-lifetime',
      'FERRY_MAX_TOKEN_LIFETIME',
      '--metrics-token',
      'FERRY_METRICS_TOKEN',
      '--metrics-listen',
      'FERRY_METRICS_LISTEN',
      '--dev-unsafe',
      'FERRY_DEV_UNSAFE',
      'openssl rand -base64 48',
    ]) {
      expect(help.output()).toContain(control);
    }
  });
});
