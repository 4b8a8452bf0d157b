/**
 * Ferry trusting an external identity provider: tokens are verified against the
 * provider's JWKS (cached, refetched when a token names a new key), with issuer and
 * audience checked. Ferry holds no secret at all.
 */
import { createFerryServer, createLogger, createPGliteDatabase, listen } from '@ferry/server';
import { type RunningExample, runIfMain } from '../shared.ts';
import { type Issuer, startIssuer } from './issuer.ts';

export async function startJwksExample(
  port = 0,
  issuer?: Issuer,
): Promise<RunningExample & { issuer: Issuer }> {
  const idp = issuer ?? (await startIssuer());
  const database = await createPGliteDatabase();
  const ferry = await createFerryServer({
    database,
    logger: createLogger('warn'),
    auth: {
      jwksUrl: idp.jwksUrl,
      issuer: idp.url,
      audience: idp.audience,
      algorithms: ['RS256'],
      jwksCooldownMs: 1000,
    },
  });
  const http = await listen(ferry, { port });
  return {
    url: http.url,
    syncUrl: http.url,
    issuer: idp,
    async close() {
      await http.close();
      await database.close();
      if (!issuer) await idp.close();
    },
  };
}

runIfMain(import.meta.url, () => startJwksExample(Number(process.env.PORT ?? 3000)));
