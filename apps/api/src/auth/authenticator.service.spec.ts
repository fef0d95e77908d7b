import type { Request } from 'express';
import { ApiKeyService, DaneStore, ENV_ADMIN_PRINCIPAL } from '@dane/core';
import { createSqlStore } from '@dane/core/storage/sql';
import { AuthenticationError } from './auth-errors';
import { Authenticator, KEY_COOKIE } from './authenticator.service';

const ADMIN_TOKEN = 'env-admin-token-0123456789abcdef';

/** A request as Express hands it over: the method and the headers are all the authenticator reads. */
const request = (headers: Record<string, string> = {}, method = 'GET') => ({ method, headers }) as unknown as Request;

/** Bearer keys, the environment's admin token and the read-only dashboard cookie, with keys in a real store (PGlite). */
describe('Authenticator', () => {
  let store: DaneStore;
  let keys: ApiKeyService;
  let auth: Authenticator;

  beforeAll(async () => {
    store = await createSqlStore({ kind: 'pglite' });
    keys = new ApiKeyService(store);
    auth = new Authenticator({ enabled: true, anonymousRead: false, adminToken: ADMIN_TOKEN, ratePerMinute: 0 }, keys);
  });
  afterAll(() => store.close());

  it('no credentials: null (the guard decides whether that may pass)', async () => {
    expect(await auth.principalOf(request())).toBeNull();
    expect(await auth.principalOf(request({ authorization: '' }))).toBeNull();
  });

  it('a stored key is its principal (any case of "Bearer"); a revoked or unknown one is refused', async () => {
    const { key, id } = await keys.create('reader', 'read');
    expect(await auth.principalOf(request({ authorization: `bearer   ${key}` }))).toEqual({ id, name: 'reader', role: 'read' });
    await keys.revoke(id);
    await expect(auth.principalOf(request({ authorization: `Bearer ${key}` }))).rejects.toThrow(new AuthenticationError('Unknown or revoked API key'));
    await expect(auth.principalOf(request({ authorization: 'Bearer not-a-key' }))).rejects.toThrow(AuthenticationError);
  });

  it('the environment admin token is the admin principal; a near miss is not', async () => {
    expect(await auth.principalOf(request({ authorization: `Bearer ${ADMIN_TOKEN}` }))).toBe(ENV_ADMIN_PRINCIPAL);
    await expect(auth.principalOf(request({ authorization: `Bearer ${ADMIN_TOKEN}x` }))).rejects.toThrow(AuthenticationError);
  });

  it('an Authorization header that is not `Bearer <key>` is refused', async () => {
    for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b']) {
      await expect(auth.principalOf(request({ authorization: header }))).rejects.toThrow(/must be `Bearer <API key>`/);
    }
  });

  it('the dashboard cookie counts only on read-only GET routes', async () => {
    const { key, id } = await keys.create('dashboard', 'admin');
    const cookie = `other=1; ${KEY_COOKIE}=${encodeURIComponent(key)}`;
    expect(await auth.principalOf(request({ cookie }), true)).toEqual({ id, name: 'dashboard', role: 'admin' });
    expect(await auth.principalOf(request({ cookie }), false)).toBeNull();
    expect(await auth.principalOf(request({ cookie }, 'POST'), true)).toBeNull();
    expect(await auth.principalOf(request({ cookie: `${KEY_COOKIE}=%E0%A4%A` }), true)).toBeNull();
  });

  it('looks the key up once per request, for the middleware and the guard both', async () => {
    const { key } = await keys.create('once', 'submit');
    const lookups = jest.spyOn(keys, 'authenticate');
    try {
      const req = request({ authorization: `Bearer ${key}` }, 'POST');
      await auth.principalOf(req);
      await auth.principalOf(req);
      expect(lookups).toHaveBeenCalledTimes(1);
    } finally {
      lookups.mockRestore();
    }
  });
});
