import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import { AppError } from '@babelfish/core';
import type { ApiKeyRepository, Principal } from '@babelfish/db';
import { readCookie, SESSION_COOKIE, type SessionStore } from './sessions';

export const LOCAL_PRINCIPAL: Principal = { ownerId: 'local', keyId: 'local' };

export type Authenticator = (headers: IncomingHttpHeaders, handshakeKey?: unknown) => Promise<Principal | undefined>;

/**
 * Who is calling: an API key (Authorization: Bearer, or X-Api-Key) or a dashboard session cookie.
 * In AUTH_MODE=none everyone is the single local owner.
 */
export function createAuthenticator(options: { mode: 'api-key' | 'none'; keys: ApiKeyRepository; sessions: SessionStore }): Authenticator {
  return async (headers, handshakeKey) => {
    if (options.mode === 'none') return LOCAL_PRINCIPAL;
    const bearer = /^Bearer\s+(.+)$/i.exec(String(headers.authorization ?? ''))?.[1];
    const apiKey = bearer ?? (typeof headers['x-api-key'] === 'string' ? headers['x-api-key'] : undefined) ?? (typeof handshakeKey === 'string' && handshakeKey.length <= 200 ? handshakeKey : undefined);
    if (apiKey) return options.keys.verify(apiKey);
    const session = readCookie(headers.cookie, SESSION_COOKIE);
    if (!session) return undefined;
    const principal = await options.sessions.get(session);
    if (!principal) return undefined;
    // A session lives on after log-in; the key it was opened with must still be valid now.
    if (await options.keys.isActive(principal.keyId)) return principal;
    await options.sessions.destroy(session);
    return undefined;
  };
}

/** Puts the caller in res.locals.principal, or answers 401. */
export function requireAuth(authenticate: Authenticator): RequestHandler {
  return async (req, res, next) => {
    const principal = await authenticate(req.headers);
    if (!principal) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="babelfish"');
      throw new AppError('UNAUTHORIZED', 'Send an API key (Authorization: Bearer <key>) or log in to the dashboard');
    }
    res.locals.principal = principal;
    next();
  };
}

export function principalOf(locals: Record<string, unknown>): Principal {
  const principal = locals.principal as Principal | undefined;
  if (!principal) throw new AppError('UNAUTHORIZED', 'Not authenticated');
  return principal;
}
