import type { IncomingMessage } from 'node:http';
import { BadRequestError, DaneClient, type DocumentInput, type TaskSpec } from '@dane/client';
import { ApiServer, startApiServer } from '../../../test/support/api-server';
import { documentInput, generator } from '../../../test/support/fixtures';

/**
 * The client checks every body against the dane-core DTO the API validates it with (DocumentCreateDto,
 * TaskAssignDto, ResultCreateDto) before sending it: a body the server would refuse with 400 is
 * refused by the client with the same message, and no request reaches the server.
 */
describe('DaneClient validates request bodies with the API’s DTOs before sending them (PGlite)', () => {
  let server: ApiServer;
  let dane: DaneClient;
  /** Every HTTP request the API's server received, `METHOD /path`. */
  const received: string[] = [];
  let docId: string;
  let taskId: string;

  beforeAll(async () => {
    server = await startApiServer({ DANE_RABBITMQ__MANAGEMENT: 'false' });
    server.app.getHttpServer().prependListener('request', (req: IncomingMessage) => received.push(`${req.method} ${req.url}`));
    dane = new DaneClient({ baseUrl: server.url });
    const doc = await dane.document(documentInput('V-DOC')).register();
    docId = doc._id!;
    taskId = (await doc.assign('ASR'))._id!;
  });
  afterAll(() => server.close());

  /** What the server answers for `body` sent as it is, without the client. */
  async function serverAnswer(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(server.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  async function storeCounts() {
    return {
      documents: (await server.store.documents.search({ targetId: '*', creatorId: '*' }, { page: 1, size: 1 })).total,
      tasks: (await server.store.tasks.countByKeyAndState()).reduce((n, s) => n + s.count, 0),
      results: (await server.store.results.find({}, { page: 1, size: 1 })).total,
    };
  }

  /**
   * `call` throws a BadRequestError with exactly `message` and nothing reaches the server (no
   * request, the store unchanged); the server answers `body` on `path` with 400 and that message.
   */
  async function expectRefusedLikeTheServer(call: () => Promise<unknown>, path: string, body: unknown, message: string): Promise<void> {
    const before = { requests: received.length, store: await storeCounts() };
    const err = await call().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(received.length).toBe(before.requests);
    expect(await storeCounts()).toEqual(before.store);
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err).toMatchObject({ status: 400, method: 'POST', url: server.url + path, message });

    const answer = await serverAnswer(path, body);
    expect(received.slice(before.requests)).toEqual([`POST ${path}`]);
    expect(answer).toEqual({ status: 400, body: { message } });
    expect(await storeCounts()).toEqual(before.store);
  }

  it('a document without target.url', async () => {
    const noUrl = { target: { id: 'V-NOURL', type: 'Video' }, creator: { id: 'NISV', type: 'Organization' } };
    // @ts-expect-error DocumentInput is TargetDto's shape: url is required by the type too
    const typed: DocumentInput = noUrl;
    await expectRefusedLikeTheServer(() => dane.document(typed).register(), '/DANE/document/', noUrl, 'target.url is required');
    await expectRefusedLikeTheServer(() => dane.documents.register(typed), '/DANE/document/', noUrl, 'target.url is required');
  });

  it('a document with a target type outside the vocabulary, or a top-level key DocumentCreateDto does not declare', async () => {
    const movie = { target: { id: 'V-MOVIE', url: 'http://example.com/m.mp4', type: 'Movie' }, creator: { id: 'NISV', type: 'Organization' } };
    await expectRefusedLikeTheServer(
      () => dane.document(movie).register(),
      '/DANE/document/',
      movie,
      'target.type must be one of Dataset, Image, Video, Sound, Text (got "Movie")',
    );
    const extra = { ...documentInput('V-EXTRA'), owner: 'me' };
    await expectRefusedLikeTheServer(() => dane.documents.register(extra), '/DANE/document/', extra, 'Invalid document format: unexpected field `owner`');
  });

  it('a task key with a space', async () => {
    const spec = { key: 'speech to text' };
    await expectRefusedLikeTheServer(
      () => dane.tasks.assign(docId, spec),
      '/DANE/task/',
      { ...spec, document_id: docId },
      `key may only contain letters, digits, '_' and '-' (got "speech to text")`,
    );
    // Through the model (key upper-cased, priority and args filled in) and the bulk form alike.
    const upper = `key may only contain letters, digits, '_' and '-' (got "SPEECH TO TEXT")`;
    await expectRefusedLikeTheServer(() => dane.task('speech to text').assign(docId), '/DANE/task/', { key: 'SPEECH TO TEXT', priority: 1, args: {}, document_id: docId }, upper);
    await expectRefusedLikeTheServer(
      () => dane.assignMany([docId], 'speech to text'),
      '/DANE/task/',
      { key: 'speech to text', document_id: [docId] },
      `key may only contain letters, digits, '_' and '-' (got "speech to text")`,
    );
  });

  it('a task priority that is not an integer', async () => {
    const spec: TaskSpec = { key: 'PRIO', priority: 'high' };
    await expectRefusedLikeTheServer(() => dane.tasks.assign(docId, spec), '/DANE/task/', { ...spec, document_id: docId }, 'priority must be an integer (got "high")');
  });

  it('a task with priority 11 is not refused by either: the server clamps it to 10 (int(priority), docs/protocol.md, Task), and so does the client', async () => {
    const before = received.length;
    const viaClient = await dane.tasks.assign(docId, { key: 'PRIO11', priority: 11 });
    expect(received.slice(before)).toEqual(['POST /DANE/task/']);
    expect(viaClient).toMatchObject({ key: 'PRIO11', priority: 10, state: '201' });
    const raw = await serverAnswer('/DANE/task/', { key: 'PRIO11B', priority: 11, document_id: docId });
    expect(raw).toMatchObject({ status: 201, body: { key: 'PRIO11B', priority: 10 } });
    expect((await dane.task({ key: 'PRIO11C', priority: 11 }).assign(docId)).priority).toBe(10);
  });

  it('a result whose payload is an array', async () => {
    const body = { generator, payload: [] };
    await expectRefusedLikeTheServer(
      // @ts-expect-error ResultInput is ResultCreateDto's shape: the payload is an object
      () => dane.results.save(taskId, body),
      `/DANE/task/${taskId}/result`,
      body,
      'payload is required and must be a JSON object',
    );
  });

  it('a result whose generator has no name', async () => {
    const body = { generator: { ...generator, name: ' ' }, payload: { transcript: 'hi' } };
    await expectRefusedLikeTheServer(
      () => dane.result(body.generator, body.payload).save(taskId),
      `/DANE/task/${taskId}/result`,
      body,
      'generator.name is required and must be a non-empty string',
    );
  });

  it('registerMany does not send the documents DocumentCreateDto refuses: they fail with the server’s own per-element text', async () => {
    const bad = { target: { id: 'V-BULK-BAD', type: 'Video' }, creator: { id: 'NISV', type: 'Organization' } } as unknown as DocumentInput;
    const before = received.length;
    const outcome = await dane.registerMany([documentInput('V-BULK-1'), bad, documentInput('V-BULK-2')]);
    expect(received.slice(before)).toEqual(['POST /DANE/documents/']);
    expect(outcome.registered.map((d) => d.target.id)).toEqual(['V-BULK-1', 'V-BULK-2']);
    expect(outcome.failed).toEqual([{ index: 1, input: bad, error: 'target.url is required' }]);

    // The server says the same of that element.
    const raw = await serverAnswer('/DANE/documents/', [bad]);
    expect(raw).toEqual({ status: 200, body: { success: [], failed: [{ index: 0, document: null, invalid: bad, error: 'target.url is required' }] } });

    // A chunk of refused elements only is not sent at all.
    const none = received.length;
    expect(await dane.documents.registerMany([bad, bad])).toEqual({
      success: [],
      failed: [0, 1].map((index) => ({ index, document: null, invalid: bad, error: 'target.url is required' })),
    });
    expect(received.length).toBe(none);
  });

  it('valid bodies still go through, once each', async () => {
    const before = received.length;
    const doc = await dane
      .document({ target: { id: 'V-OK', url: 'http://example.com/ok.mp4', type: 'Video', lang: 'nl' }, creator: { id: 'NISV', type: 'Organization' } })
      .register();
    const task = await doc.assign({ key: 'OK', priority: '3', args: { lang: 'nl' } });
    const result = await dane.result({ ...generator, id: 42 }, { ok: true }).save(task._id!);
    expect(received.slice(before)).toEqual(['POST /DANE/document/', 'POST /DANE/task/', `POST /DANE/task/${task._id}/result`]);
    expect(task).toMatchObject({ key: 'OK', priority: 3, args: { lang: 'nl' } });
    expect(result.generator).toMatchObject({ id: '42', name: 'ASR' });
  });
});
