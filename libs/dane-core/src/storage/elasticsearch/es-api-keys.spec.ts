import { ApiKeyService } from '../../auth/api-key.service';
import { INDEX } from './testing/es-replies';
import { useRecordedStore } from './testing/recorded-store';
import { RecordedRequest, RecordingElasticsearch } from './testing/recording-elasticsearch';

const KEYS_INDEX = `${INDEX}-api-keys`;

/** A tiny in-memory `<INDEX>-api-keys` index behind the recording server: create, get, count, search, delete. */
function serveKeysIndex(es: RecordingElasticsearch): void {
  const docs = new Map<string, Record<string, unknown>>();
  let exists = false;
  const idOf = (req: RecordedRequest) => decodeURIComponent(req.path.split('/').pop()!);
  es.on('PUT', `/${KEYS_INDEX}`, () => ((exists = true), { status: 200, body: { acknowledged: true, index: KEYS_INDEX } }));
  es.on('PUT', new RegExp(`^/${KEYS_INDEX}/_(doc|create)/`), (req) => {
    docs.set(idOf(req), req.body as Record<string, unknown>);
    return { status: 201, body: { _index: KEYS_INDEX, _id: idOf(req), result: 'created' } };
  });
  es.on('GET', new RegExp(`^/${KEYS_INDEX}/_doc/`), (req) => {
    const doc = docs.get(idOf(req));
    return doc
      ? { status: 200, body: { _index: KEYS_INDEX, _id: idOf(req), found: true, _source: doc } }
      : { status: 404, body: { _index: KEYS_INDEX, _id: idOf(req), found: false } };
  });
  es.on('POST', new RegExp(`^/${KEYS_INDEX}/_update/`), () => ({ status: 200, body: { result: 'updated' } }));
  es.on('DELETE', new RegExp(`^/${KEYS_INDEX}/_doc/`), (req) => {
    const deleted = docs.delete(idOf(req));
    return { status: deleted ? 200 : 404, body: { _index: KEYS_INDEX, _id: idOf(req), result: deleted ? 'deleted' : 'not_found' } };
  });
  const missingIndex = { status: 404, body: { error: { type: 'index_not_found_exception' }, status: 404 } };
  for (const method of ['GET', 'POST']) {
    es.on(method, `/${KEYS_INDEX}/_count`, () => (exists ? { status: 200, body: { count: docs.size } } : missingIndex));
    es.on(method, `/${KEYS_INDEX}/_search`, () =>
      exists ? { status: 200, body: { hits: { total: { value: docs.size }, hits: [...docs].map(([_id, _source]) => ({ _id, _source })) } } } : missingIndex,
    );
  }
}

describe('API keys on the Elasticsearch store', () => {
  const recorded = useRecordedStore(serveKeysIndex);

  it('keeps keys in <INDEX>-api-keys, never in the DANE index, and only their salted hash', async () => {
    const keys = new ApiKeyService(recorded.store);
    expect(await recorded.store.apiKeys.count()).toBe(0); // no index yet: no keys
    const created = await keys.create('es admin', 'admin');
    expect(await keys.authenticate(created.key)).toEqual({ id: created.id, name: 'es admin', role: 'admin' });
    expect(await keys.authenticate(created.key.slice(0, -1) + (created.key.endsWith('A') ? 'B' : 'A'))).toBeNull();
    expect(await recorded.store.apiKeys.count()).toBe(1);
    expect((await recorded.store.apiKeys.list({ page: 1, size: 10 })).items.map((k) => k.id)).toEqual([created.id]);

    const writes = recorded.es.calls.filter((c) => c.method !== 'GET' && c.method !== 'HEAD');
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((c) => c.path.startsWith(`/${KEYS_INDEX}`))).toBe(true);
    const stored = recorded.es.calls.find((c) => /_(doc|create)\//.test(c.path) && c.method === 'PUT')!.body as Record<string, unknown>;
    expect(Object.keys(stored).sort()).toEqual(['created_at', 'hash', 'last_used_at', 'name', 'role', 'salt']);
    expect(JSON.stringify(stored)).not.toContain(created.key.split('_').slice(2).join('_'));

    await keys.revoke(created.id);
    expect(await keys.authenticate(created.key)).toBeNull();
  });
});
