import { NotFoundError } from '@dane/protocol';
import { makeDocument, makeResult, makeTask } from '../sql/store-contract.fixtures';
import { dedupResultId } from './es-result.repository';
import { INDEX, Stored, alreadyExists, created, found, hits, mget, missing } from './testing/es-replies';
import { useRecordedStore } from './testing/recorded-store';

const doc = makeDocument('ITM3');
const task = makeTask(doc, 'ASR');
const storedTask: Stored = {
  id: task._id,
  seqNo: 2,
  routing: doc._id,
  source: { task: { key: 'ASR', state: 102, msg: 'Queued', priority: 1 }, role: { name: 'task', parent: doc._id }, created_at: task.created_at, updated_at: task.updated_at },
};
const generator = { id: 'abc123', name: 'ASR', type: 'Software', homepage: 'https://example.com' };

/** A result as a Python worker's `Result.save(task_id)` writes it: ES auto id, no extension (docs/protocol.md, Result id). */
const pythonResult: Stored = {
  id: 'Xb3kR4sBq1ZmJ8d2F0aA',
  seqNo: 9,
  routing: task._id,
  source: { result: { generator, payload: { text: 'hallo' } }, role: { name: 'result', parent: task._id }, created_at: '2024-05-13T10:11:12', updated_at: '2024-05-13T10:11:12' },
};

describe('Elasticsearch results on the wire (docs/protocol.md, Elasticsearch layout)', () => {
  const recorded = useRecordedStore();

  it('stores a result routed by its TASK id, join parent the task, with only {generator, payload} in `result`', async () => {
    const result = makeResult(task);
    recorded.es.on('GET', `/${INDEX}/_doc/${task._id}`, found(storedTask));
    recorded.es.on('PUT', `/${INDEX}/_doc/${result._id}`, created(result._id, 10));
    expect(await recorded.store.results.insert(result)).toEqual(result);
    expect(recorded.es.calls.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /${INDEX}/_doc/${task._id}`, `PUT /${INDEX}/_doc/${result._id}`, `GET /${INDEX}/_doc/${task._id}`]);
    expect(recorded.es.calls[1].query).toEqual({ op_type: 'create', routing: task._id, refresh: 'wait_for' });
    expect(recorded.es.calls[1].body).toStrictEqual({
      result: { generator: { id: 'abc123', name: 'ASR', type: 'Software', homepage: 'https://example.com' }, payload: { text: 'hello' } },
      role: { name: 'result', parent: task._id },
      created_at: result.created_at,
      updated_at: result.updated_at,
    });
  });

  it('refuses a result for an unknown task without writing', async () => {
    recorded.es.on('GET', `/${INDEX}/_doc/${task._id}`, missing(task._id));
    await expect(recorded.store.results.insert(makeResult(task))).rejects.toThrow(new NotFoundError(`No task with id \`${task._id}\` found`));
    expect(recorded.es.calls).toHaveLength(1);
  });

  it('stores a result with a dedup key under an id derived from it, so a redelivery finds the first', async () => {
    const id = dedupResultId('reply-1');
    const first: Stored = { id, seqNo: 11, routing: task._id, source: { ...(pythonResult.source as object), dane_node: { dedup_key: 'reply-1' } } };
    recorded.es.on('GET', `/${INDEX}/_doc/${task._id}`, found(storedTask));
    recorded.es.on('PUT', `/${INDEX}/_doc/${id}`, alreadyExists(id));
    recorded.es.on('GET', `/${INDEX}/_doc/${id}`, found(first));
    const again = await recorded.store.results.insert(makeResult(task, 'ASR', 'abc123', { text: 'second copy' }), 'reply-1');
    expect(again).toEqual({
      _id: id,
      task_id: task._id,
      document_id: doc._id,
      task_key: 'ASR',
      generator,
      payload: { text: 'hallo' },
      created_at: '2024-05-13T10:11:12',
      updated_at: '2024-05-13T10:11:12',
    });
    expect(id).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect((recorded.es.calls[1].body as Record<string, unknown>).dane_node).toEqual({ dedup_key: 'reply-1' });
  });

  it('reads a result a Python worker wrote, its document and key taken from its task', async () => {
    recorded.es.on('GET', `/${INDEX}/_doc/${pythonResult.id}`, found(pythonResult));
    recorded.es.on('GET', `/${INDEX}/_doc/${task._id}`, found(storedTask));
    expect(await recorded.store.results.findById(pythonResult.id)).toEqual({
      _id: pythonResult.id,
      task_id: task._id,
      document_id: doc._id,
      task_key: 'ASR',
      generator,
      payload: { text: 'hallo' },
      created_at: '2024-05-13T10:11:12',
      updated_at: '2024-05-13T10:11:12',
    });
  });

  it('finds results through their task (has_parent) and the task`s document and creator, oldest first', async () => {
    recorded.es.on('POST', `/${INDEX}/_search`, hits([pythonResult], 1));
    recorded.es.on('POST', `/${INDEX}/_mget`, mget([storedTask]));
    const page = await recorded.store.results.find({ documentId: doc._id, taskKey: 'ASR', creatorId: 'NISV', generatorName: 'ASR', taskId: task._id }, { page: 1, size: 10 });
    expect(page.total).toBe(1);
    expect(page.items.map((r) => [r._id, r.document_id, r.task_key])).toEqual([[pythonResult.id, doc._id, 'ASR']]);
    expect(recorded.es.calls[0].body).toEqual({
      _source: ['result', 'role', 'created_at', 'updated_at'],
      query: {
        bool: {
          must: [
            {
              has_parent: {
                parent_type: 'task',
                query: {
                  bool: {
                    must: [
                      { exists: { field: 'task.key' } },
                      { match: { _routing: doc._id } },
                      { match: { 'task.key': 'ASR' } },
                      { has_parent: { parent_type: 'document', query: { term: { 'creator.id': 'NISV' } } } },
                    ],
                  },
                },
              },
            },
            { exists: { field: 'result.generator.id' } },
            { parent_id: { type: 'result', id: task._id } },
            { term: { 'result.generator.name': 'ASR' } },
          ],
        },
      },
      sort: [{ _seq_no: 'asc' }],
      from: 0,
      size: 10,
      track_total_hits: true,
    });
    expect(recorded.es.calls[1].body).toEqual({ ids: [task._id] });
  });
});
