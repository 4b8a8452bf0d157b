/**
 * A stand-in identity provider, as Auth0, Keycloak or Cognito would be: it signs RS256
 * tokens and publishes its public keys at /.well-known/jwks.json, and can rotate its key.
 * For the example and its tests only.
 */
import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { addressOf } from '../shared.ts';

export interface Issuer {
  url: string;
  jwksUrl: string;
  audience: string;
  /** Signs in a user and returns an access token. */
  token(user: string, spaces: string[]): Promise<string>;
  /** Starts signing with a new key; the old one is no longer published. */
  rotate(): Promise<void>;
  close(): Promise<void>;
}

export async function startIssuer(audience = 'ferry-example'): Promise<Issuer> {
  let generation = 0;
  let current: { kid: string; privateKey: CryptoKey; jwk: JWK };
  const newKey = async () => {
    generation += 1;
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const kid = `key-${generation}`;
    current = {
      kid,
      privateKey,
      jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
    };
  };
  await newKey();

  const server: Server = createServer((req, res) => {
    if (req.url === '/.well-known/jwks.json') {
      res.setHeader('content-type', 'application/json');
      res.setHeader('cache-control', 'max-age=300');
      res.end(JSON.stringify({ keys: [current.jwk] }));
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = addressOf(server);
  return {
    url,
    jwksUrl: `${url}/.well-known/jwks.json`,
    audience,
    token: (user, spaces) =>
      new SignJWT({ spaces })
        .setProtectedHeader({ alg: 'RS256', kid: current.kid })
        .setIssuer(url)
        .setAudience(audience)
        .setSubject(user)
        .setIssuedAt()
        .setExpirationTime('15m')
        .sign(current.privateKey),
    rotate: newKey,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
