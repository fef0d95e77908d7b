import { TestingModule } from '@nestjs/testing';
import * as amqp from 'amqplib';
import { DaneStore, DaneTask, createTask } from '@dane/core';
import { ResultConsumer, ResultsModule } from '@dane/results';
import { AMQP_URL, StoreKind, TestBroker, newDocument, queueTypeOf, startApp, storeFor, storeOf, testEnv, waitFor } from './support/scheduler-harness';

describe.each<[StoreKind, 'classic' | 'quorum']>([
  ['postgres', 'classic'],
  ['pglite', 'classic'],
  ['postgres', 'quorum'],
])('results intake (%s, %s results queue)', (kind, queueType) => {
  const broker = new TestBroker(`results-${kind}-${queueType}`);
  const storage = storeFor(kind, `results${queueType}`);
  let app: TestingModule;
  let store: DaneStore;
  let consumer: ResultConsumer;
  let publisher: amqp.ChannelModel;
  let ch: amqp.ConfirmChannel;
  let task: DaneTask;

  const generator = { id: 'abc123', name: 'asr', type: 'Software', homepage: 'https://example.com/asr' };

  /** Publishes like the worker SDK: to the results queue, persistent, with a message id. */
  async function send(body: unknown, messageId?: string): Promise<void> {
    const content = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    ch.sendToQueue(consumer.queue, content, { persistent: true, messageId });
    await ch.waitForConfirms();
  }

  async function resultsOf(taskId: string) {
    return store.results.find({ taskId }, { page: 1, size: 100 });
  }

  beforeAll(async () => {
    await storage.schema?.create();
    app = await startApp(testEnv(broker, storage, {}, { QUEUE_TYPE: queueType }), ResultsModule);
    store = storeOf(app);
    consumer = app.get(ResultConsumer);
    publisher = await amqp.connect(AMQP_URL);
    ch = await publisher.createConfirmChannel();
    const doc = await newDocument(store);
    task = createTask(doc._id, { key: 'ASR', priority: 1, args: {}, depends_on: [] });
    await store.tasks.insert(task);
    await waitFor('results queue declared', () => ch.checkQueue(consumer.queue).then(() => true));
  });

  afterAll(async () => {
    await publisher?.close();
    await app?.close();
    await broker.cleanup();
    await storage.schema?.drop();
  });

  it(`declares the results queue as a ${queueType} queue`, async () => {
    expect(await queueTypeOf(consumer.queue)).toBe(queueType);
  });

  it('stores a worker result and stores a redelivery with the same message id only once', async () => {
    await send({ task_id: task._id, attempt: 1, generator, payload: { text: 'hallo wereld' } }, 'result-1');
    await send({ task_id: task._id, attempt: 1, generator, payload: { text: 'hallo wereld' } }, 'result-1');
    await send({ task_id: task._id, generator, payload: { text: 'second result' } }, 'result-2');
    // Delivered in order: once the last one is stored, the two before it have been received too.
    await waitFor('last stored', async () => (await resultsOf(task._id)).items.some((r) => r.payload.text === 'second result'));
    await consumer.idle();
    const page = await resultsOf(task._id);
    expect(page.total).toBe(2);
    expect(page.items[0]).toMatchObject({ task_id: task._id, document_id: task.document_id, task_key: 'ASR', payload: { text: 'hallo wereld' } });
    expect(page.items[0].generator).toMatchObject({ id: 'abc123', name: 'ASR', type: 'Software' });
  });

  it('acknowledges, logs and counts malformed messages and unknown tasks, and keeps consuming', async () => {
    const before = { ...consumer.counters };
    await send('not json', 'bad-1');
    await send({ generator, payload: {} }, 'bad-2'); // no task_id
    await send({ task_id: task._id, generator: { ...generator, type: 'Robot' }, payload: {} }, 'bad-3');
    await send({ task_id: task._id, generator, payload: 'not an object' }, 'bad-4');
    await send({ task_id: 'f'.repeat(40), generator, payload: {} }, 'bad-5');
    await waitFor('rejections counted', () => consumer.counters.malformed - before.malformed === 4 && consumer.counters.unknownTask - before.unknownTask === 1);

    await send({ task_id: task._id, generator, payload: { after: 'junk' } }, 'result-3');
    await waitFor('stored after junk', async () => (await resultsOf(task._id)).items.some((r) => r.payload.after === 'junk'));
    const q = await ch.checkQueue(consumer.queue);
    expect(q.messageCount).toBe(0);
  });
});
