import { createSqlStore } from '../storage/sql';
import type { DaneStore } from '../storage/store.port';
import { ApiKeyService, KEY_CACHE_MS } from './api-key.service';

describe('ApiKeyService.authenticate: verified keys are trusted for KEY_CACHE_MS', () => {
  let store: DaneStore;
  let keys: ApiKeyService;
  let lookups: jest.SpyInstance;

  beforeAll(async () => {
    store = await createSqlStore({ kind: 'pglite' });
    keys = new ApiKeyService(store);
  });
  afterAll(() => store.close());
  beforeEach(() => {
    lookups = jest.spyOn(store.apiKeys, 'findById');
  });
  afterEach(() => jest.restoreAllMocks());

  it('asks the store once for repeated requests with the same key, and again once the time is up', async () => {
    const { key, id } = await keys.create('worker', 'read');
    expect(await keys.authenticate(key)).toEqual({ id, name: 'worker', role: 'read' });
    expect(await keys.authenticate(key)).toEqual({ id, name: 'worker', role: 'read' });
    expect(lookups).toHaveBeenCalledTimes(1);
    const later = Date.now() + KEY_CACHE_MS + 1;
    jest.spyOn(Date, 'now').mockReturnValue(later);
    expect(await keys.authenticate(key)).toEqual({ id, name: 'worker', role: 'read' });
    expect(lookups).toHaveBeenCalledTimes(2);
  });

  it('forgets a key revoked through this process at once', async () => {
    const { key, id } = await keys.create('alice', 'admin');
    expect(await keys.authenticate(key)).not.toBeNull();
    await keys.revoke(id);
    expect(await keys.authenticate(key)).toBeNull();
  });

  it('never caches a refusal: a wrong secret is asked every time', async () => {
    const { key } = await keys.create('bob', 'read');
    const wrong = key.slice(0, -4) + (key.endsWith('aaaa') ? 'bbbb' : 'aaaa');
    expect(await keys.authenticate(wrong)).toBeNull();
    expect(await keys.authenticate(wrong)).toBeNull();
    expect(lookups).toHaveBeenCalledTimes(2);
  });
});
