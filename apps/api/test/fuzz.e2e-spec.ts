import { INestApplication } from '@nestjs/common';
import fc from 'fast-check';
import request from 'supertest';
import { createSqlStore } from '@dane/core/storage/sql';
import { ApiKeyService, DaneStore } from '@dane/core';
import { createApiTestApp } from '../../../test/support/api-test-app';
import { documentBody, generator } from '../../../test/support/fixtures';

/**
 * Property-based fuzzing of every route: random methods, paths (real and random ids, odd
 * segments, bad percent-encoding), query strings, bodies (random JSON, deep nesting, huge strings,
 * wrong types, invalid UTF-8, not JSON at all) and credentials. The API must never answer 5xx, and
 * a request it refuses (4xx) must leave the store exactly as it was.
 *
 * Only two routes may answer 503, because what they report on is outside the API: the worker list
 * (RabbitMQ management API, off here) and /ready. The dashboard's event stream never ends, so it is
 * left out (auth.e2e-spec.ts checks its 401).
 */
const ADMIN_TOKEN = 'fuzz-admin-token-0123456789abcdef';
const MAX_BODY_BYTES = 256 * 1024;
const RUNS = Number(process.env.DANE_FUZZ_RUNS ?? 600);

const ROUTES = [
  '/health',
  '/ready',
  '/DANE',
  '/DANE/document/',
  '/DANE/document/:doc',
  '/DANE/document/:doc/tasks',
  '/DANE/document/:doc/delete',
  '/DANE/document/search/:seg/:seg',
  '/DANE/documents/',
  '/DANE/search/document/',
  '/DANE/search/:seg/:seg',
  '/DANE/task/',
  '/DANE/task/inprogress',
  '/DANE/task/:task',
  '/DANE/task/:task/delete',
  '/DANE/task/:task/document',
  '/DANE/task/:task/results',
  '/DANE/task/:task/result',
  '/DANE/task/:task/:action',
  '/DANE/result/',
  '/DANE/result/:result',
  '/DANE/result/:result/delete',
  '/DANE/results/',
  '/DANE/workers/',
  '/DANE/workers/:key',
  '/DANE/workers/:key/reset',
  '/DANE/workers/:key/reset/:seg',
  '/DANE/creator/:seg/docs',
  '/DANE/creator/:seg/:key/tasks',
  '/DANE/creator/:seg/:key/results',
  '/DANE/stats/tasks',
  '/DANE/keys/',
  '/DANE/keys/:seg',
  '/manage',
  '/manage/dashboard.js',
  '/manage/api/snapshot',
  '/manage/api/tasks',
  '/:seg/:seg',
];
const MAY_BE_UNAVAILABLE = new Set(['/DANE/workers', '/ready']);
const QUERY_NAMES = [
  'page',
  'size',
  'doc',
  'doc[]',
  'docs',
  'docs[]',
  'target_id',
  'creator_id',
  'cascade',
  'key',
  'state',
  'task_id',
  'document_id',
  'task_key',
  'generator_name',
  'x',
  '__proto__',
  'constructor',
];

interface Seeds {
  docs: string[];
  tasks: string[];
  results: string[];
  keys: string[];
}

interface FuzzRequest {
  method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH' | 'HEAD' | 'OPTIONS';
  path: string;
  query: string;
  body: { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'raw'; bytes: Buffer; type: string };
  auth: 'none' | 'admin' | 'read' | 'submit' | 'garbage';
}

/** Nested `[[[…]]]` or `{"a":{"a":…}}` as text, deeper than any limit. */
const deepText = (depth: number, object: boolean) => (object ? '{"a":'.repeat(depth) + '1' + '}'.repeat(depth) : '['.repeat(depth) + ']'.repeat(depth));
const deepValue = (depth: number): unknown => {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

function arbitraries(seeds: Seeds) {
  const oddSegment = fc.constantFrom(
    '..',
    '.',
    '%00',
    '%2F',
    '%ZZ',
    '%E0%A4',
    '%C3%28',
    '%FF%FE',
    'null',
    'undefined',
    '0',
    '-1',
    '1e309',
    '__proto__',
    'constructor',
    'ÜNÏ☃',
    '*',
    '?',
  );
  const segment = (pool: string[]) =>
    fc.oneof(
      { weight: 4, arbitrary: pool.length ? fc.constantFrom(...pool) : fc.hexaString({ minLength: 40, maxLength: 40 }) },
      { weight: 2, arbitrary: fc.string({ maxLength: 30 }).map(encodeURIComponent) },
      { weight: 1, arbitrary: fc.fullUnicodeString({ maxLength: 12 }).map(encodeURIComponent) },
      { weight: 1, arbitrary: fc.integer({ min: 100, max: 6000 }).map((n) => 'x'.repeat(n)) },
      { weight: 2, arbitrary: oddSegment },
    );
  const action = fc.oneof(fc.constantFrom('retry', 'forceretry', 'reset', 'RETRY', 'ReSeT', 'delete', 'document', 'results'), segment([]));
  const taskKey = fc.oneof(fc.constantFrom('ASR', 'FILESIZE', 'asr', 'DOWNLOAD'), segment([]));
  const path = fc
    .tuple(
      fc.constantFrom(...ROUTES),
      fc.array(segment([...seeds.docs, ...seeds.tasks, ...seeds.results]), { minLength: 6, maxLength: 6 }),
      fc.array(taskKey, { minLength: 2, maxLength: 2 }),
      action,
      fc.boolean(),
    )
    .map(([template, segs, keys, act, slash]) => {
      let i = 0;
      let k = 0;
      const filled = template
        .replace(/:doc|:task|:result|:seg/g, () => segs[i++])
        .replace(/:key/g, () => keys[k++])
        .replace(':action', act);
      return slash && !filled.endsWith('/') ? filled + '/' : filled;
    });
  const queryValue = fc.oneof(
    fc.string({ maxLength: 20 }).map(encodeURIComponent),
    fc.constantFrom('1', '0', '-1', '1001', 'abc', 'true', 'false', '*', 'ITM*', '500', '102', '%ZZ', '%', '', '1e3', ...seeds.docs.slice(0, 2)),
    fc.integer({ min: 1000, max: 20000 }).map((n) => 'q'.repeat(n)),
  );
  const query = fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_NAMES), fc.string({ maxLength: 8 }).map(encodeURIComponent)), queryValue), { maxLength: 5 })
    .map((pairs) => (pairs.length ? '?' + pairs.map(([k, v]) => `${k}=${v}`).join('&') : ''));
  const poison = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    fc.integer({ min: 11, max: 400 }).map(deepValue),
    fc.integer({ min: 1000, max: 300_000 }).map((n) => 'z'.repeat(n)),
    fc.constantFrom(null, true, 0, -1, 1e308, '', [], {}, ['a', 'b'], { '*': null }, '\u0000', 'a\u0000b', '\uD800'),
  );
  const validBodies = [
    () => documentBody(`FUZZ-${Math.random()}`),
    () => [documentBody(`FUZZ-${Math.random()}`), JSON.stringify(documentBody(`FUZZ-${Math.random()}`))],
    () => ({ document_id: seeds.docs[0], key: 'FUZZ', priority: 1, args: { a: 1 } }),
    () => ({ document_id: seeds.docs, key: 'FUZZLIST' }),
    () => ({ task_id: seeds.tasks[0], generator, payload: { text: 'x' } }),
    () => ({ generator, payload: { text: 'x' } }),
    () => ({ name: 'fuzz key', role: 'read' }),
  ];
  const fieldPaths = [
    'target',
    'target.id',
    'target.url',
    'target.type',
    'creator',
    'creator.id',
    'document_id',
    'key',
    'priority',
    'args',
    'args.x',
    'depends_on',
    'task',
    'task.key',
    'generator',
    'generator.name',
    'payload',
    'payload.x',
    'task_id',
    'name',
    'role',
    'extra',
    '_id',
    '0',
    '0.target.id',
    '1',
  ];
  const poisoned = fc.tuple(fc.nat({ max: validBodies.length - 1 }), fc.constantFrom(...fieldPaths), poison).map(([i, field, value]) => {
    const body = validBodies[i]() as Record<string, unknown>;
    const parts = field.split('.');
    let at: Record<string, unknown> = body;
    for (const p of parts.slice(0, -1)) {
      if (typeof at[p] !== 'object' || at[p] === null) at[p] = {};
      at = at[p] as Record<string, unknown>;
    }
    at[parts[parts.length - 1]] = value;
    return body;
  });
  const body = fc.oneof(
    { weight: 2, arbitrary: fc.constant({ kind: 'none' as const }) },
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 5 }).map((value) => ({ kind: 'json' as const, value })) },
    { weight: 2, arbitrary: fc.nat({ max: validBodies.length - 1 }).map((i) => ({ kind: 'json' as const, value: validBodies[i]() })) },
    { weight: 5, arbitrary: poisoned.map((value) => ({ kind: 'json' as const, value })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 50, max: 100_000 }), fc.boolean())
        .map(([depth, object]) => ({ kind: 'raw' as const, bytes: Buffer.from(deepText(depth, object)), type: 'application/json' })),
    },
    {
      weight: 1,
      arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => ({
        kind: 'raw' as const,
        bytes: Buffer.concat([Buffer.from('{"target":{"id":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(bytes), Buffer.from('"}}')]),
        type: 'application/json',
      })),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ kind: 'raw' as const, bytes: Buffer.from(bytes), type: 'application/octet-stream' })) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: MAX_BODY_BYTES - 10, max: MAX_BODY_BYTES * 2 }).map((n) => ({
        kind: 'raw' as const,
        bytes: Buffer.from(JSON.stringify({ target: { id: 'BIG', url: 'u'.repeat(n), type: 'Video' }, creator: { id: 'X', type: 'Organization' } })),
        type: 'text/plain',
      })),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 50 }).map((text) => ({ kind: 'raw' as const, bytes: Buffer.from(text), type: 'application/json' })) },
  );
  const method = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom('GET' as const, 'POST' as const, 'DELETE' as const) },
    { weight: 1, arbitrary: fc.constantFrom('PUT' as const, 'PATCH' as const, 'HEAD' as const, 'OPTIONS' as const) },
  );
  const auth = fc.constantFrom('none' as const, 'admin' as const, 'admin' as const, 'read' as const, 'submit' as const, 'garbage' as const);
  return fc.record<FuzzRequest>({ method, path, query, body, auth });
}

/** `message` of a `{"message"}` body, whatever Content-Type it came with (a route's own @Header stays on its errors). */
function messageOf(text: string | undefined): unknown {
  try {
    return (JSON.parse(text ?? '') as { message?: unknown })?.message;
  } catch {
    return undefined;
  }
}

describe('fuzzing every route (PGlite, fast-check)', () => {
  let store: DaneStore;
  let app: INestApplication;
  const seeds: Seeds = { docs: [], tasks: [], results: [], keys: [] };
  const tokens: Record<FuzzRequest['auth'], string | undefined> = {
    none: undefined,
    admin: ADMIN_TOKEN,
    read: undefined,
    submit: undefined,
    garbage: 'dane_0123456789abcdef_' + 'g'.repeat(43),
  };

  /** Everything a request could change, in a comparable form. */
  async function snapshot(): Promise<string> {
    const all = { page: 1, size: 1000 };
    const [docs, tasks, results, keys] = await Promise.all([store.documents.search({}, all), store.tasks.list({}, all), store.results.find({}, all), store.apiKeys.list(all)]);
    return JSON.stringify({
      docs: docs.total,
      docIds: docs.items.map((d) => [d._id, d.updated_at]),
      tasks: tasks.total,
      taskStates: tasks.items.map((t) => [t._id, t.state, t.msg, t.attempt, t.updated_at, t.depends_on]),
      results: results.total,
      resultIds: results.items.map((r) => r._id),
      keys: keys.items.map((k) => [k.id, k.role]),
    });
  }

  beforeAll(async () => {
    store = await createSqlStore({ kind: 'pglite' });
    app = await createApiTestApp(store, {
      env: { DANE_AUTH__ENABLED: 'true', DANE_ADMIN_TOKEN: ADMIN_TOKEN, DANE_RABBITMQ__MANAGEMENT: 'false', DANE_DANE__MAX_BODY_BYTES: String(MAX_BODY_BYTES) },
    });
    const http = () => request(app.getHttpServer());
    const admin = { Authorization: `Bearer ${ADMIN_TOKEN}` };
    for (let i = 0; i < 4; i++) {
      const doc = await http()
        .post('/DANE/document/')
        .set(admin)
        .send(documentBody(`SEED-${i}`))
        .expect(200);
      seeds.docs.push(doc.body._id);
      const task = await http().post('/DANE/task/').set(admin).send({ document_id: doc.body._id, key: 'ASR' }).expect(201);
      seeds.tasks.push(task.body._id);
      const result = await http().post(`/DANE/task/${task.body._id}/result`).set(admin).send({ generator, payload: { i } }).expect(201);
      seeds.results.push(result.body._id);
    }
    const keys = app.get(ApiKeyService);
    tokens.read = (await keys.create('fuzz read', 'read')).key;
    tokens.submit = (await keys.create('fuzz submit', 'submit')).key;
    seeds.keys.push(tokens.read.split('_')[1], tokens.submit.split('_')[1]);
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it(`never answers 5xx, and a refused request changes nothing (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(arbitraries(seeds), async (r) => {
        const before = await snapshot();
        let req = request(app.getHttpServer())
          [r.method.toLowerCase() as 'get'](r.path + r.query)
          .timeout(20_000);
        const token = tokens[r.auth];
        if (token) req = req.set('Authorization', `Bearer ${token}`);
        if (r.body.kind === 'json') req = req.set('Content-Type', 'application/json').send(JSON.stringify(r.body.value) ?? '');
        else if (r.body.kind === 'raw') req = req.set('Content-Type', r.body.type).send(r.body.bytes);
        const res = await req;
        const where = `${r.method} ${(r.path + r.query).slice(0, 300)}`;
        const route = r.path.replace(/\/+$/, '').replace(/\/{2,}/g, '/');
        if (res.status >= 500) {
          const allowed = res.status === 503 && MAY_BE_UNAVAILABLE.has(route);
          if (!allowed) throw new Error(`${where} answered ${res.status}: ${res.text?.slice(0, 300)}`);
        }
        if (res.status >= 400 && res.status < 500) {
          const after = await snapshot();
          if (after !== before) throw new Error(`${where} answered ${res.status} (${res.text?.slice(0, 200)}) but changed the store`);
          // 431: Node's own limit on the request line and headers (16 KB) answers before the app, without a body.
          if (r.method !== 'HEAD' && res.status !== 431 && /^\/(DANE|manage)\//.test(route) && typeof messageOf(res.text) !== 'string') {
            throw new Error(`${r.method} ${route} answered ${res.status} without a {"message"} body: ${res.text?.slice(0, 200)}`);
          }
        }
      }),
      { numRuns: RUNS, interruptAfterTimeLimit: 30_000, markInterruptAsFailure: false, endOnFailure: true },
    );
  }, 90_000);
});
