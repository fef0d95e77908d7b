import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createSqlStore } from '@dane/core/storage/sql';
import { ApiKeyService, ConfigError, DaneStore, loadConfig, Role } from '@dane/core';
import { bootstrapAdminKey } from '@dane/api';
import { createApiTestApp, useApiTestApp } from '../../../test/support/api-test-app';
import { documentBody } from '../../../test/support/fixtures';

const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
const AUTH_ON = { DANE_AUTH__ENABLED: 'true', DANE_ADMIN_TOKEN: ADMIN_TOKEN, DANE_RABBITMQ__MANAGEMENT: 'false' };

type Method = 'get' | 'post' | 'delete';
interface RouteCase {
  method: Method;
  path: string;
  role: Role;
}

const ID = '0123456789abcdef0123456789abcdef01234567';

/** Every route that changes something, with the role it needs (legacy GET aliases need the same as their POST/DELETE forms). */
const MUTATING: RouteCase[] = [
  { method: 'post', path: '/DANE/document/', role: 'submit' },
  { method: 'post', path: '/DANE/documents/', role: 'submit' },
  { method: 'post', path: '/DANE/task/', role: 'submit' },
  { method: 'post', path: '/DANE/result/', role: 'submit' },
  { method: 'post', path: `/DANE/task/${ID}/result`, role: 'submit' },
  { method: 'delete', path: `/DANE/document/${ID}`, role: 'operate' },
  { method: 'get', path: `/DANE/document/${ID}/delete`, role: 'operate' },
  { method: 'delete', path: `/DANE/documents/?docs=${ID}`, role: 'operate' },
  { method: 'delete', path: `/DANE/task/${ID}`, role: 'operate' },
  { method: 'get', path: `/DANE/task/${ID}/delete`, role: 'operate' },
  { method: 'get', path: `/DANE/task/${ID}/retry`, role: 'operate' },
  { method: 'get', path: `/DANE/task/${ID}/forceretry`, role: 'operate' },
  { method: 'get', path: `/DANE/task/${ID}/reset`, role: 'operate' },
  { method: 'post', path: `/DANE/task/${ID}/retry`, role: 'operate' },
  { method: 'post', path: `/DANE/task/${ID}/forceretry?cascade=true`, role: 'operate' },
  { method: 'post', path: `/DANE/task/${ID}/reset`, role: 'operate' },
  { method: 'delete', path: `/DANE/result/${ID}`, role: 'operate' },
  { method: 'get', path: `/DANE/result/${ID}/delete`, role: 'operate' },
  { method: 'get', path: '/DANE/workers/ASR/reset', role: 'operate' },
  { method: 'get', path: '/DANE/workers/ASR/reset/500', role: 'operate' },
  { method: 'post', path: '/DANE/keys/', role: 'admin' },
  { method: 'get', path: '/DANE/keys/', role: 'admin' },
  { method: 'delete', path: '/DANE/keys/0123456789abcdef', role: 'admin' },
];

const READS: string[] = [
  `/DANE/document/${ID}`,
  `/DANE/document/${ID}/tasks`,
  `/DANE/documents/?doc=${ID}`,
  '/DANE/search/document/?target_id=*',
  '/DANE/document/search/ITM*/NISV',
  '/DANE/search/ITM*/NISV',
  '/DANE/task/',
  '/DANE/task/inprogress',
  `/DANE/task/${ID}`,
  `/DANE/task/${ID}/document`,
  `/DANE/task/${ID}/results`,
  `/DANE/result/${ID}`,
  '/DANE/results/?task_key=ASR',
  '/DANE/workers/',
  '/DANE/workers/ASR',
  '/DANE/creator/NISV/docs',
  '/DANE/creator/NISV/ASR/tasks',
  '/DANE/creator/NISV/ASR/results',
  '/DANE/stats/tasks',
  '/manage/api/snapshot',
  '/manage/api/tasks?state=500',
];

const LOWER: Record<Role, Role | undefined> = { read: undefined, submit: 'read', operate: 'submit', admin: 'operate' };

describe('API keys and roles (PGlite)', () => {
  let store: DaneStore;
  let app: INestApplication;
  const keys: Partial<Record<Role, string>> = {};
  const http = () => request(app.getHttpServer());
  const send = (c: { method: Method; path: string }, key?: string) => {
    const req = http()[c.method](c.path);
    if (key) req.set('Authorization', `Bearer ${key}`);
    return c.method === 'post' ? req.send({}) : req;
  };

  beforeAll(async () => {
    store = await createSqlStore({ kind: 'pglite' });
    app = await createApiTestApp(store, { env: AUTH_ON });
    for (const role of ['read', 'submit', 'operate', 'admin'] as Role[]) keys[role] = (await app.get(ApiKeyService).create(`${role} key`, role)).key;
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });

  describe.each(MUTATING)('$method $path', (route) => {
    it('answers 401 with WWW-Authenticate: Bearer without a key', async () => {
      const res = await send(route).expect(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.body.message).toMatch(/needs an API key/);
    });

    it(`answers 403 naming the roles with a key below ${route.role}`, async () => {
      const lower = LOWER[route.role]!;
      const res = await send(route, keys[lower]).expect(403);
      expect(res.body).toEqual({ message: `This route needs the ${route.role} role; your key has ${lower}` });
    });

    it(`lets a ${route.role} key through`, async () => {
      const res = await send(route, keys[route.role]);
      expect([401, 403]).not.toContain(res.status);
      expect(res.status).toBeLessThan(500);
    });
  });

  it('checks the role before the input limits: a read key sending an oversized task learns only that it may not submit', async () => {
    const body = { document_id: 'x'.repeat(5000), key: 'K'.repeat(500) };
    const res = await http().post('/DANE/task/').set('Authorization', `Bearer ${keys.read}`).send(body).expect(403);
    expect(res.body).toEqual({ message: 'This route needs the submit role; your key has read' });
    // With the role, the same body is refused by the limits (400 naming the field), not stored.
    const limited = await http().post('/DANE/task/').set('Authorization', `Bearer ${keys.submit}`).send(body).expect(400);
    expect(limited.body.message).toMatch(/LIMITS\./);
  });

  it.each(READS)('GET %s needs a read key (401 without, not 401/403 with one)', async (path) => {
    const anonymous = await http().get(path).expect(401);
    expect(anonymous.headers['www-authenticate']).toMatch(/^Bearer/);
    const res = await http().get(path).set('Authorization', `Bearer ${keys.read}`);
    expect([401, 403]).not.toContain(res.status);
  });

  it('answers 405 to HEAD on a legacy GET route that changes things, changing nothing', async () => {
    const doc = await http().post('/DANE/document/').set('Authorization', `Bearer ${keys.submit}`).send(documentBody('HEAD-1')).expect(200);
    const res = await http().head(`/DANE/document/${doc.body._id}/delete`).set('Authorization', `Bearer ${keys.admin}`).expect(405);
    expect(res.headers.allow).toBe('GET');
    await http().head(`/DANE/workers/ASR/reset`).set('Authorization', `Bearer ${keys.admin}`).expect(405);
    expect(await store.documents.findById(doc.body._id)).not.toBeNull();
    await http().head(`/DANE/document/${doc.body._id}`).set('Authorization', `Bearer ${keys.read}`).expect(200);
  });

  it('takes the dashboard cookie (dane_key) on read routes only, never where it could change something', async () => {
    await http()
      .get('/manage/api/snapshot')
      .set('Cookie', `theme=dark; dane_key=${encodeURIComponent(keys.admin!)}`)
      .expect(200);
    await http().get('/DANE/task/').set('Cookie', `dane_key=${keys.read}`).expect(200);
    await http().get(`/DANE/task/${ID}/retry`).set('Cookie', `dane_key=${keys.admin}`).expect(401);
    await http().get(`/DANE/document/${ID}/delete`).set('Cookie', `dane_key=${keys.admin}`).expect(401);
    await http().post('/DANE/document/').set('Cookie', `dane_key=${keys.admin}`).send(documentBody('COOKIE')).expect(401);
    await http()
      .get('/DANE/task/')
      .set('Cookie', 'dane_key=dane_0123456789abcdef_' + 'c'.repeat(43))
      .expect(401);
  });

  it('answers 401 for the event stream of the dashboard without a key', async () => {
    await http().get('/manage/events').expect(401);
  });

  it('leaves /health, /ready and the dashboard page open', async () => {
    await http().get('/health').expect(200);
    expect((await http().get('/ready')).status).not.toBe(401);
    await http().get('/manage/').expect(200);
    const openApi = await http().get('/DANE/swagger.json').expect(200);
    expect(Object.keys(openApi.body.paths)).toEqual(expect.arrayContaining(['/DANE/keys', '/DANE/keys/{id}']));
    expect(openApi.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('answers 401 for an unknown key, a revoked key, and a header that is not Bearer', async () => {
    const unknown = await http()
      .get('/DANE/task/')
      .set('Authorization', 'Bearer dane_0123456789abcdef_' + 'x'.repeat(43))
      .expect(401);
    expect(unknown.body).toEqual({ message: 'Unknown or revoked API key' });
    expect(unknown.headers['www-authenticate']).toMatch(/^Bearer/);
    await http().post('/DANE/document/').set('Authorization', 'Bearer not-a-key').send(documentBody('NOPE')).expect(401);
    const basic = await http().get('/DANE/task/').set('Authorization', 'Basic Zm9vOmJhcg==').expect(401);
    expect(basic.body.message).toMatch(/Bearer <API key>/);
    // A key whose secret is wrong is unknown, even though its id exists.
    const id = keys.admin!.split('_')[1];
    await http()
      .get('/DANE/task/')
      .set('Authorization', `Bearer dane_${id}_${'A'.repeat(43)}`)
      .expect(401);
  });

  it('accepts DANE_ADMIN_TOKEN from the environment as an admin key', async () => {
    const res = await http().post('/DANE/keys/').set('Authorization', `Bearer ${ADMIN_TOKEN}`).send({ name: 'from env admin', role: 'read' }).expect(201);
    expect(res.body.role).toBe('read');
  });

  it('refuses a DANE_ADMIN_TOKEN shorter than 16 characters, and an unknown AUTH key, at start-up', () => {
    const env = { HOME: '/nonexistent', DANE_HOME: '/nonexistent' };
    expect(() => loadConfig({ env: { ...env, DANE_ADMIN_TOKEN: 'short' }, cwd: '/nonexistent' })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { ...env, DANE_AUTH__ENABLE: 'false' }, cwd: '/nonexistent' })).toThrow(/unknown key AUTH.ENABLE/);
  });

  it('keeps an admin token that looks like a number as the exact string', () => {
    const env = { HOME: '/nonexistent', DANE_HOME: '/nonexistent' };
    expect(loadConfig({ env: { ...env, DANE_AUTH__ADMIN_TOKEN: '00012345678901234567' }, cwd: '/nonexistent' }).config.AUTH.ADMIN_TOKEN).toBe('00012345678901234567');
    expect(loadConfig({ env: { ...env, DANE_ADMIN_TOKEN: '1234567890e12345' }, cwd: '/nonexistent' }).config.AUTH.ADMIN_TOKEN).toBe('1234567890e12345');
  });

  describe('key management (admin)', () => {
    const admin = () => ({ Authorization: `Bearer ${keys.admin}` });

    it('creates a key shown once, lists it without secret, and revokes it', async () => {
      const created = await http().post('/DANE/keys/').set(admin()).send({ name: 'asr worker', role: 'submit' }).expect(201);
      expect(created.body).toMatchObject({ name: 'asr worker', role: 'submit', last_used_at: null });
      expect(created.body.key).toMatch(/^dane_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
      expect(created.body.key.split('_')[1]).toBe(created.body.id);
      const key = created.body.key as string;

      await http().post('/DANE/document/').set('Authorization', `Bearer ${key}`).send(documentBody('KEYS-1')).expect(200);
      await http().get(`/DANE/task/${ID}/reset`).set('Authorization', `Bearer ${key}`).expect(403);

      const list = await http().get('/DANE/keys/').set(admin()).expect(200);
      const listed = list.body.keys.find((k: { id: string }) => k.id === created.body.id);
      expect(listed).toEqual({ id: created.body.id, name: 'asr worker', role: 'submit', created_at: created.body.created_at, last_used_at: expect.any(String) });
      expect(list.body.total).toBe(list.body.keys.length);
      expect(JSON.stringify(list.body)).not.toContain(key.split('_').slice(2).join('_'));

      await http().delete(`/DANE/keys/${created.body.id}`).set(admin()).expect(200);
      await http().post('/DANE/document/').set('Authorization', `Bearer ${key}`).send(documentBody('KEYS-2')).expect(401);
      await http().delete(`/DANE/keys/${created.body.id}`).set(admin()).expect(404);
    });

    it('stores only a salted hash of the key', async () => {
      const created = await http().post('/DANE/keys/').set(admin()).send({ name: 'hash check', role: 'read' }).expect(201);
      const record = await store.apiKeys.findById(created.body.id);
      const secret = (created.body.key as string).split('_').slice(2).join('_');
      expect(record).toMatchObject({ id: created.body.id, role: 'read' });
      expect(JSON.stringify(record)).not.toContain(secret);
      expect(record!.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(record!.salt).toMatch(/^[0-9a-f]{32}$/);
    });

    it('answers 400 naming the field for a bad role, a missing name or an unknown field', async () => {
      const role = await http().post('/DANE/keys/').set(admin()).send({ name: 'x', role: 'root' }).expect(400);
      expect(role.body.message).toMatch(/role/);
      const name = await http().post('/DANE/keys/').set(admin()).send({ role: 'read' }).expect(400);
      expect(name.body.message).toMatch(/name/);
      const extra = await http().post('/DANE/keys/').set(admin()).send({ name: 'x', role: 'read', expires: 'never' }).expect(400);
      expect(extra.body.message).toMatch(/expires should not exist/);
    });

    it('refuses key management to an operate key (403)', async () => {
      const res = await http().get('/DANE/keys/').set('Authorization', `Bearer ${keys.operate}`).expect(403);
      expect(res.body.message).toBe('This route needs the admin role; your key has operate');
    });
  });
});

describe('anonymous read (AUTH.ANONYMOUS_READ)', () => {
  const api = useApiTestApp({ env: { ...AUTH_ON, DANE_AUTH__ANONYMOUS_READ: 'true' } });
  const { http } = api;

  it('answers GET routes without a key', async () => {
    await http().get('/DANE/search/document/').expect(200);
    await http().get('/DANE/task/').expect(200);
    await http().get('/manage/api/snapshot').expect(200);
  });

  it('still needs keys for writes, legacy GET deletes and actions, and key management', async () => {
    await http().post('/DANE/document/').send(documentBody('ANON')).expect(401);
    await http().get(`/DANE/document/${ID}/delete`).expect(401);
    await http().get(`/DANE/task/${ID}/retry`).expect(401);
    await http().get('/DANE/workers/ASR/reset').expect(401);
    await http().get('/DANE/keys/').expect(401);
  });

  it('still refuses a key it does not know, rather than reading anonymously', async () => {
    await http()
      .get('/DANE/task/')
      .set('Authorization', 'Bearer dane_0123456789abcdef_' + 'y'.repeat(43))
      .expect(401);
  });
});

describe('rate limit of the submission routes (AUTH.RATE_LIMIT_PER_MINUTE)', () => {
  const api = useApiTestApp({ env: { ...AUTH_ON, DANE_AUTH__RATE_LIMIT_PER_MINUTE: '3' } });
  const { http } = api;

  it('answers 429 with Retry-After past the limit, per key, storing nothing; reads and admin keys are not limited', async () => {
    const keys = api.app.get(ApiKeyService);
    const first = (await keys.create('first', 'submit')).key;
    const second = (await keys.create('second', 'submit')).key;
    const post = (key: string, path: string, body: object) => http().post(path).set('Authorization', `Bearer ${key}`).send(body);
    // The window is one minute: keep the test away from its edge.
    await post(first, '/DANE/document/', documentBody('RL-1')).expect(200);
    await post(first, '/DANE/documents/', [documentBody('RL-2')]).expect(200);
    await post(first, '/DANE/task/', { document_id: 'nope', key: 'ASR' }).expect(404);
    const limited = await post(first, '/DANE/document/', documentBody('RL-3')).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.body.message).toMatch(/at most 3 per minute per key/);
    expect(await api.store.documents.findByIds([])).toEqual([]);
    expect((await api.store.documents.search({ targetId: 'RL-3' }, { page: 1, size: 10 })).total).toBe(0);

    await http().get('/DANE/search/document/').set('Authorization', `Bearer ${first}`).expect(200);
    await post(second, '/DANE/document/', documentBody('RL-4')).expect(200);
    for (let i = 0; i < 5; i++) await post(ADMIN_TOKEN, '/DANE/document/', documentBody(`RL-ADMIN-${i}`)).expect(200);
  });
});

describe('bootstrap admin key (single-machine mode)', () => {
  it('prints an admin key once when no key exists, and never again', async () => {
    const store = await createSqlStore({ kind: 'pglite' });
    const app = await createApiTestApp(store, { env: { DANE_AUTH__ENABLED: 'true' } });
    try {
      const written: string[] = [];
      const key = await bootstrapAdminKey(app, { write: (t) => written.push(t) });
      expect(key).toMatch(/^dane_[0-9a-f]{16}_/);
      expect(written.join('')).toContain(`export DANE_TOKEN=${key}`);
      await request(app.getHttpServer()).get('/DANE/keys/').set('Authorization', `Bearer ${key}`).expect(200);

      expect(await bootstrapAdminKey(app, { write: (t) => written.push(t) })).toBeNull();
      expect(written).toHaveLength(1);
      expect(await store.apiKeys.count()).toBe(1);
    } finally {
      await app.close();
      await store.close();
    }
  });

  it('creates none when DANE_ADMIN_TOKEN is set or auth is off', async () => {
    for (const env of [AUTH_ON, { DANE_AUTH__ENABLED: 'false' }]) {
      const store = await createSqlStore({ kind: 'pglite' });
      const app = await createApiTestApp(store, { env });
      try {
        expect(await bootstrapAdminKey(app, { write: () => undefined })).toBeNull();
        expect(await store.apiKeys.count()).toBe(0);
      } finally {
        await app.close();
        await store.close();
      }
    }
  });
});
