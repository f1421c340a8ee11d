import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import { AppError } from '@babelfish/core';
import type { ApiKeyRepository, Principal } from '@babelfish/db';
import { readCookie, SESSION_COOKIE, type SessionStore } from './sessions';

export const LOCAL_PRINCIPAL: Principal = { ownerId: 'local', keyId: 'local' };

export type Authenticator = ((headers: IncomingHttpHeaders, handshakeKey?: unknown) => Promise<Principal | undefined>) & {
  /** Drops what is remembered of a key (called when it is revoked, on any replica). */
  forget?: (keyId: string) => void;
};

/** How long a verified key (or a session's key being active) is trusted without asking the database again. */
export const KEY_CACHE_TTL_MS = 5000;
const KEY_CACHE_MAX_ENTRIES = 10_000;

/**
 * Verified keys, remembered for a few seconds: every request of a busy client would otherwise
 * hash its key and read the database. Revocation still takes effect at once on every replica
 * through `forget` (the revocation channel), and within the TTL when a key is revoked in the
 * database directly.
 */
function createKeyCache(ttlMs: number, now: () => number) {
  const verified = new Map<string, { principal: Principal; until: number }>();
  const active = new Map<string, number>();
  return {
    principal(key: string): Principal | undefined {
      const entry = verified.get(key);
      if (entry && entry.until > now()) return entry.principal;
      if (entry) verified.delete(key);
      return undefined;
    },
    rememberPrincipal(key: string, principal: Principal) {
      if (verified.size >= KEY_CACHE_MAX_ENTRIES) verified.clear();
      verified.set(key, { principal, until: now() + ttlMs });
    },
    isActive(keyId: string): boolean {
      return (active.get(keyId) ?? 0) > now();
    },
    rememberActive(keyId: string) {
      if (active.size >= KEY_CACHE_MAX_ENTRIES) active.clear();
      active.set(keyId, now() + ttlMs);
    },
    forget(keyId: string) {
      for (const [key, entry] of verified) if (entry.principal.keyId === keyId) verified.delete(key);
      active.delete(keyId);
    },
  };
}

/**
 * Who is calling: an API key (Authorization: Bearer, or X-Api-Key) or a dashboard session cookie.
 * In AUTH_MODE=none everyone is the single local owner.
 */
export function createAuthenticator(options: {
  mode: 'api-key' | 'none';
  keys: ApiKeyRepository;
  sessions: SessionStore;
  cacheTtlMs?: number;
  now?: () => number;
}): Authenticator {
  const cache = createKeyCache(options.cacheTtlMs ?? KEY_CACHE_TTL_MS, options.now ?? Date.now);
  const authenticate: Authenticator = async (headers, handshakeKey) => {
    if (options.mode === 'none') return LOCAL_PRINCIPAL;
    const bearer = /^Bearer\s+(.+)$/i.exec(String(headers.authorization ?? ''))?.[1];
    const apiKey = bearer ?? (typeof headers['x-api-key'] === 'string' ? headers['x-api-key'] : undefined) ?? (typeof handshakeKey === 'string' && handshakeKey.length <= 200 ? handshakeKey : undefined);
    if (apiKey) {
      const known = cache.principal(apiKey);
      if (known) return known;
      const principal = await options.keys.verify(apiKey);
      if (principal) cache.rememberPrincipal(apiKey, principal);
      return principal;
    }
    const session = readCookie(headers.cookie, SESSION_COOKIE);
    if (!session) return undefined;
    const principal = await options.sessions.get(session);
    if (!principal) return undefined;
    // A session lives on after log-in; the key it was opened with must still be valid now.
    if (cache.isActive(principal.keyId)) return principal;
    if (await options.keys.isActive(principal.keyId)) {
      cache.rememberActive(principal.keyId);
      return principal;
    }
    await options.sessions.destroy(session);
    return undefined;
  };
  authenticate.forget = (keyId) => cache.forget(keyId);
  return authenticate;
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
