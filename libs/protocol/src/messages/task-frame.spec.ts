import { createDocument, documentToJson } from '../model/document';
import { createTask, parseTaskSpec } from '../model/task';
import { ATTEMPT_HEADER, DEPENDENCIES_DONE_HEADER } from './headers';
import { pythonJsonDumps } from './python-json';
import { checkFrameDocument, decodeTaskBody, decodeTaskFrame, encodeTaskFrame, routingKeyFor, taskMessageBody } from './task-frame';

const doc = createDocument({ target: { id: 'ITM123', url: 'http://low.res/vid.mp4', type: 'Video' }, creator: { id: 'NISV', type: 'Organization' } });

function dispatched(spec: Record<string, unknown>, attempt = 3) {
  return { ...createTask(doc._id, parseTaskSpec(spec)), attempt };
}

describe('task frame body (docs/protocol.md, Task message): the wire format Python DANE workers read', () => {
  it('uses Python json.dumps spacing and ensure_ascii', () => {
    expect(pythonJsonDumps({ a: [1, 'é'], b: null })).toBe('{"a": [1, "\\u00e9"], "b": null}');
  });

  it('carries the two flat objects with the pre-claim state', () => {
    const task = createTask(doc._id, parseTaskSpec({ key: 'asr' }));
    const body = JSON.parse(taskMessageBody(task, doc).toString());
    expect(Object.keys(body)).toEqual(['task', 'document']);
    expect(body.task).toEqual({ key: 'ASR', _id: task._id, state: 201, msg: 'Created', created_at: task.created_at, updated_at: task.updated_at, priority: 1 });
    expect(Object.keys(body.document)).toEqual(['target', 'creator', 'created_at', 'updated_at', '_id']);
    expect(routingKeyFor(doc, task)).toBe('Video.ASR');
  });

  it('is byte for byte the json.dumps of {task: Task.to_json(), document: Document.to_json()}', () => {
    const task = dispatched({ key: 'asr', args: { lang: 'nl', naïve: true } });
    const expected =
      `{"task": {"key": "ASR", "_id": "${task._id}", "state": 201, "msg": "Created", "created_at": "${task.created_at}", "updated_at": "${task.updated_at}", "priority": 1, "args": {"lang": "nl", "na\\u00efve": true}}, ` +
      `"document": {"target": {"id": "ITM123", "url": "http://low.res/vid.mp4", "type": "Video"}, "creator": {"id": "NISV", "type": "Organization"}, "created_at": "${doc.created_at}", "updated_at": "${doc.updated_at}", "_id": "${doc._id}"}}`;
    expect(encodeTaskFrame(task, doc, 'q').body.toString('utf8')).toBe(expected);
  });
});

describe('task frame round trip', () => {
  it('encode → decode gives back the task, the document and the envelope', () => {
    const task = dispatched({ key: 'asr', priority: 7, args: { lang: 'nl' } }, 4);
    const frame = encodeTaskFrame(task, doc, 'DANE-response-queue');
    expect(frame.routingKey).toBe('Video.ASR');
    expect(frame.properties).toEqual({
      mandatory: true,
      replyTo: 'DANE-response-queue',
      correlationId: task._id,
      priority: 7,
      persistent: true,
      headers: { [ATTEMPT_HEADER]: 4 },
    });
    const decoded = decodeTaskFrame({ content: frame.body, properties: frame.properties });
    expect(decoded).toEqual({
      ok: true,
      envelope: { taskId: task._id, replyTo: 'DANE-response-queue', attempt: 4, dependenciesDone: false },
      task: { _id: task._id, key: 'ASR', state: 201, msg: 'Created', priority: 7, args: { lang: 'nl' }, created_at: task.created_at, updated_at: task.updated_at, attempt: 4 },
      document: JSON.parse(JSON.stringify(documentToJson(doc))),
    });
  });

  it('says dependencies are done exactly when the task has depends_on', () => {
    const task = dispatched({ key: 'asr', depends_on: ['DOWNLOAD'] });
    const frame = encodeTaskFrame(task, doc, 'q');
    expect(frame.properties.headers).toEqual({ [ATTEMPT_HEADER]: 3, [DEPENDENCIES_DONE_HEADER]: true });
    expect(decodeTaskFrame({ content: frame.body, properties: frame.properties })).toMatchObject({ ok: true, envelope: { dependenciesDone: true } });
  });

  it('reads a frame of a Python DANE server (no headers) as without attempt', () => {
    const task = dispatched({ key: 'asr' });
    const decoded = decodeTaskFrame({ content: taskMessageBody(task, doc), properties: { correlationId: task._id, replyTo: 'q' } });
    expect(decoded).toMatchObject({ ok: true, envelope: { attempt: undefined, dependenciesDone: false }, task: { attempt: undefined } });
  });

  it.each([
    ['a number', 5, 5],
    ['a numeric string', ' 6 ', 6],
    ['the bytes of a number', Buffer.from('7'), 7],
  ])('takes the attempt header as %s', (_what, value, attempt) => {
    const task = dispatched({ key: 'asr' });
    const decoded = decodeTaskFrame({ content: taskMessageBody(task, doc), properties: { replyTo: 'q', headers: { [ATTEMPT_HEADER]: value } } });
    expect(decoded).toMatchObject({ ok: true, envelope: { attempt }, task: { attempt, _id: task._id } });
  });

  it('reads a garbled attempt header as none, saying why', () => {
    const task = dispatched({ key: 'asr' });
    const decoded = decodeTaskFrame({ content: taskMessageBody(task, doc), properties: { replyTo: 'q', headers: { [ATTEMPT_HEADER]: 'two' } } });
    expect(decoded).toMatchObject({ ok: true, envelope: { attempt: undefined, attemptProblem: expect.stringMatching(/x-dane-attempt/) } });
  });

  it.each([true, 1, 'true', '1'])('takes %p as dependencies done', (value) => {
    const task = dispatched({ key: 'asr' });
    const decoded = decodeTaskFrame({ content: taskMessageBody(task, doc), properties: { replyTo: 'q', headers: { [DEPENDENCIES_DONE_HEADER]: value } } });
    expect(decoded).toMatchObject({ envelope: { dependenciesDone: true } });
  });
});

describe('task frame decoding with the Python worker strictness (docs/protocol.md, Replies)', () => {
  const goodDoc = documentToJson(doc);

  it.each([
    ['not JSON', '{task', 500, /Incompleted task specification/],
    ['no document', JSON.stringify({ task: { key: 'A' } }), 500, /Incompleted task specification/],
    ['a task without key', JSON.stringify({ task: {}, document: goodDoc }), 400, /^Invalid format, unable to proceed$/],
    ['a document with an extra key', JSON.stringify({ task: { key: 'A' }, document: { ...goodDoc, extra: 1 } }), 400, /^Invalid format/],
    ['a target without url', JSON.stringify({ task: { key: 'A' }, document: { ...goodDoc, target: { id: 'x', type: 'Video' } } }), 500, /^Unhandled error: 'url'$/],
    ['an invalid creator type', JSON.stringify({ task: { key: 'A' }, document: { ...goodDoc, creator: { id: 'x', type: 'Robot' } } }), 500, /Invalid creator type "Robot"/],
  ])('rejects %s with the reply the Python worker sends, never throwing', (_what, body, state, message) => {
    const decoded = decodeTaskFrame({ content: Buffer.from(body), properties: { replyTo: 'q', correlationId: 't1', headers: { [ATTEMPT_HEADER]: 2 } } });
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.reply.state).toBe(state);
    expect(decoded.reply.message).toMatch(message);
    expect(decoded.reason).toEqual(expect.any(String));
    expect(decoded.envelope).toEqual({ taskId: 't1', replyTo: 'q', attempt: 2, dependenciesDone: false });
  });

  it('makes extra task keys the args, as Task() does; the task id falls back to the correlation id', () => {
    const decoded = decodeTaskBody(JSON.stringify({ task: { key: 'asr', lang: 'nl', model: 'big' }, document: goodDoc }), 'fallback');
    expect(decoded).toMatchObject({ ok: true, task: { _id: 'fallback', key: 'ASR', priority: 1, args: { lang: 'nl', model: 'big' } } });
    expect(decodeTaskBody(JSON.stringify({ task: { key: 'a', args: { x: 1 } }, document: goodDoc }))).toMatchObject({ ok: true, task: { args: { x: 1 } } });
  });

  it('gives a worker string ids when a frame of an older or Python DANE server carries a number or boolean', () => {
    const legacy = { ...goodDoc, target: { ...doc.target, id: 12345 }, creator: { id: true, type: 'Organization' } };
    const decoded = decodeTaskBody(JSON.stringify({ task: { key: 'A' }, document: legacy }));
    expect(decoded).toMatchObject({ ok: true, document: { target: { id: '12345', url: doc.target.url, type: 'Video' }, creator: { id: 'True', type: 'Organization' } } });
  });

  it('checks a document on its own (batch mode)', () => {
    expect(checkFrameDocument(goodDoc)).toBeUndefined();
    expect(checkFrameDocument([])).toEqual({ state: 400, message: 'Invalid format, unable to proceed' });
  });
});
