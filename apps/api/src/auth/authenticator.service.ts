import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ApiKeyService, ENV_ADMIN_PRINCIPAL, Principal, sameToken } from '@dane/core';
import { AuthenticationError } from './auth-errors';
import { AUTH_SETTINGS, AuthSettings } from './auth-settings';

/**
 * Cookie the dashboard page may hold its key in (EventSource cannot send headers). Accepted only on
 * routes that need no more than read: a cookie rides along on cross-site requests, so it must never
 * be able to change anything (legacy GET deletes and actions included).
 */
export const KEY_COOKIE = 'dane_key';

const BEARER = /^Bearer[ ]+(\S+)\s*$/i;

/** The request's principal, cached on it: the middleware (writes) and the guard (every route) share one lookup. */
interface AuthenticatedRequest extends Request {
  danePrincipal?: Principal | null;
}

/** Turns `Authorization: Bearer <key>` into a Principal: DANE_ADMIN_TOKEN, or a stored key. */
@Injectable()
export class Authenticator {
  constructor(
    @Inject(AUTH_SETTINGS) readonly settings: AuthSettings,
    private readonly keys: ApiKeyService,
  ) {}

  /**
   * The principal of the Authorization header (or, with `readOnlyRoute`, of the dashboard cookie).
   * null: no credentials sent. Throws AuthenticationError for credentials we do not accept.
   */
  async principalOf(req: Request, readOnlyRoute = false): Promise<Principal | null> {
    const r = req as AuthenticatedRequest;
    if (r.danePrincipal === undefined) {
      const token = bearerToken(req);
      r.danePrincipal = token === null ? null : await this.check(token);
    }
    if (r.danePrincipal || !readOnlyRoute || req.method !== 'GET') return r.danePrincipal;
    const cookie = readCookie(req.headers.cookie, KEY_COOKIE);
    return cookie ? this.check(cookie) : null;
  }

  private async check(token: string): Promise<Principal> {
    if (this.settings.adminToken && sameToken(token, this.settings.adminToken)) return ENV_ADMIN_PRINCIPAL;
    const principal = await this.keys.authenticate(token);
    if (!principal) throw new AuthenticationError('Unknown or revoked API key');
    return principal;
  }
}

function bearerToken(req: Request): string | null {
  const header = req.headers.authorization;
  if (header === undefined || header === '') return null;
  const m = BEARER.exec(header);
  if (!m) throw new AuthenticationError('The Authorization header must be `Bearer <API key>`');
  return m[1];
}

function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim()) || null;
    } catch {
      return null;
    }
  }
  return null;
}
