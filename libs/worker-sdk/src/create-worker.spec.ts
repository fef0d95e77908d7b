import { ConfigError, TaskState } from '@dane/protocol';
import { DaneTestServer } from '../../../test/support/dane-test-server';
import { createWorker, outcomeOf, type CreateWorkerOptions, type FunctionWorker } from './create-worker';
import { NeedsPerson, RetryLater } from './errors/outcome-errors';
import { RefuseJob } from './errors/refuse-job';

const GENERATOR = { id: 'abc1234', name: 'FN_WORKER', type: 'Software' as const, homepage: 'https://example.com/worker.git' };

let server: DaneTestServer;
const started: FunctionWorker[] = [];

beforeAll(async () => {
  server = await DaneTestServer.start('sdk-fn-worker');
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((w) => w.stop(200)));
});
afterAll(async () => {
  await server.cleanup();
});

/** A started function-form worker on the test server's private queue for `key`. */
async function start(key: string, handle: CreateWorkerOptions['handle'], options: Partial<CreateWorkerOptions> = {}): Promise<FunctionWorker> {
  const worker = createWorker({ key, handle, queue: server.queue(key), config: server.config(), generator: GENERATOR, ...options });
  await worker.start();
  started.push(worker);
  return worker;
}

/** Publishes one task of `key` and returns the worker's final reply body. */
async function replyTo(key: string): Promise<Record<string, unknown>> {
  const document = server.document();
  const taskId = await server.publishTask({ document, task: server.task(document, key) });
  return (await server.reply((r) => r.properties.correlationId === taskId && r.properties.headers?.['x-dane-kind'] !== 'heartbeat')).body;
}

describe('createWorker defaults', () => {
  it('derives queue, binding key and task key from the key', () => {
    const worker = createWorker({ key: 'WORDS', handle: () => undefined, config: server.config(), generator: GENERATOR });
    expect(worker.queue).toBe('words_queue');
    expect(worker.options.bindingKeys).toEqual(['#.WORDS']);
    expect(worker.taskKey).toBe('WORDS');
    expect(worker.options.concurrency).toBe(1);
  });

  it('refuses a missing or malformed key and a missing handler with a ConfigError naming them', () => {
    expect(() => createWorker({ key: 'two words', handle: () => undefined })).toThrow(ConfigError);
    expect(() => createWorker({ key: 'two words', handle: () => undefined })).toThrow(/key must be a task key.*"two words"/);
    expect(() => createWorker({ key: 'OK' } as CreateWorkerOptions)).toThrow(/handle must be a function/);
  });
});

describe('createWorker outcomes over the broker', () => {
  it('replies what the handler returns: an outcome, a string (200) or nothing (200 Success)', async () => {
    await start('FN_OBJECT', () => ({ state: TaskState.NOT_FOUND, message: 'no such file', path: '/x' }));
    await start('FN_STRING', () => 'counted 3 words');
    await start('FN_VOID', async () => undefined);
    expect(await replyTo('FN_OBJECT')).toEqual({ state: 404, message: 'no such file', path: '/x' });
    expect(await replyTo('FN_STRING')).toEqual({ state: 200, message: 'counted 3 words' });
    expect(await replyTo('FN_VOID')).toEqual({ state: 200, message: 'Success' });
  });

  it('turns RetryLater into 503 with the delay it asks for, NeedsPerson into its state, anything else into 500', async () => {
    await start('FN_RETRY', () => {
      throw new RetryLater('rate limited', { delayMs: 90_000 });
    });
    await start('FN_PERSON', () => {
      throw new NeedsPerson('bad language code', { state: TaskState.BAD_REQUEST });
    });
    await start('FN_CRASH', () => {
      throw new TypeError('x is undefined');
    });
    expect(await replyTo('FN_RETRY')).toEqual({ state: 503, message: 'rate limited', retry_after_ms: 90_000 });
    expect(await replyTo('FN_PERSON')).toEqual({ state: 400, message: 'bad language code' });
    expect(await replyTo('FN_CRASH')).toEqual({ state: 500, message: 'Unhandled worker error: x is undefined' });
  });

  it('hands a RefuseJob back as a refusal (x-dane-kind refused)', async () => {
    await start('FN_REFUSE', () => {
      throw new RefuseJob('GPU busy');
    });
    const document = server.document();
    const taskId = await server.publishTask({ document, task: server.task(document, 'FN_REFUSE') });
    const reply = await server.reply((r) => r.properties.correlationId === taskId);
    expect(reply.properties.headers?.['x-dane-kind']).toBe('refused');
    expect(reply.body).toMatchObject({ state: 201, message: 'Refused by worker: GPU busy' });
  });

  it('answers 412 naming dependsOn unless the server says they are done, without running the handler', async () => {
    let runs = 0;
    await start('FN_DEPS', () => void runs++, { dependsOn: ['DOWNLOAD'] });
    expect(await replyTo('FN_DEPS')).toEqual({ state: 412, message: 'Unfinished dependencies', dependencies: ['DOWNLOAD'] });
    expect(runs).toBe(0);
  });
});

describe('typed errors', () => {
  it('RetryLater without a delay leaves the delay to the server; a negative delay is refused', () => {
    expect(new RetryLater('later').toOutcome()).toEqual({ state: 503, message: 'later' });
    expect(() => new RetryLater('later', { delayMs: -1 })).toThrow(/delayMs must be a finite number/);
  });

  it('NeedsPerson defaults to 500 and refuses a state that does not wait for a person', () => {
    expect(new NeedsPerson('broken model').toOutcome()).toEqual({ state: 500, message: 'broken model' });
    expect(() => new NeedsPerson('x', { state: 200 as never })).toThrow(/state must be one of 400, 403, 404, 500, got 200/);
  });

  it('outcomeOf keeps an outcome as it is', () => {
    expect(outcomeOf({ state: 412, message: 'wait', dependencies: ['A'] })).toEqual({ state: 412, message: 'wait', dependencies: ['A'] });
  });
});
