import { createDocument } from '../model/document';
import { createTask, parseTaskSpec } from '../model/task';
import { taskMessageBody, routingKeyFor } from './messages';
import { pythonJsonDumps } from './python-json';
import { parseReply } from './reply';

describe('task message (§3.2)', () => {
  it('uses Python json.dumps spacing and ensure_ascii', () => {
    expect(pythonJsonDumps({ a: [1, 'é'], b: null })).toBe('{"a": [1, "\\u00e9"], "b": null}');
  });
  it('carries the two flat objects with the pre-claim state', () => {
    const doc = createDocument({ target: { id: 'ITM123', url: 'http://low.res/vid.mp4', type: 'Video' }, creator: { id: 'NISV', type: 'Organization' } });
    const task = createTask(doc._id, parseTaskSpec({ key: 'asr' }));
    const body = JSON.parse(taskMessageBody(task, doc).toString());
    expect(Object.keys(body)).toEqual(['task', 'document']);
    expect(body.task).toEqual({ key: 'ASR', _id: task._id, state: 201, msg: 'Created', created_at: task.created_at, updated_at: task.updated_at, priority: 1 });
    expect(Object.keys(body.document)).toEqual(['target', 'creator', 'created_at', 'updated_at', '_id']);
    expect(routingKeyFor(doc, task)).toBe('Video.ASR');
  });
});

describe('reply parsing (§3.4–3.5)', () => {
  it('accepts numbers, numeric strings, double-encoded JSON and extra keys', () => {
    expect(parseReply('{"state": 200, "message": "Success"}')).toEqual({ ok: true, reply: { state: 200, message: 'Success', extra: {} } });
    expect(parseReply('{"state": "500", "message": "x", "size": 3}')).toMatchObject({ ok: true, reply: { state: 500, extra: { size: 3 } } });
    expect(parseReply(JSON.stringify(JSON.stringify({ state: 200, message: 'ok' })))).toMatchObject({ ok: true, reply: { state: 200 } });
    expect(parseReply('{"state": 412, "message": "Unfinished dependencies", "dependencies": ["DOWNLOAD"]}')).toMatchObject({ ok: true, reply: { dependencies: ['DOWNLOAD'] } });
  });
  it('rejects malformed replies with a reason instead of throwing', () => {
    expect(parseReply('not json')).toMatchObject({ ok: false, reason: expect.stringMatching(/not JSON/) });
    expect(parseReply('[1]')).toMatchObject({ ok: false });
    expect(parseReply('{"message": "x"}')).toMatchObject({ ok: false, reason: expect.stringMatching(/no valid state/) });
    expect(parseReply('{"state": 299, "message": "x"}')).toMatchObject({ ok: false, reason: expect.stringMatching(/not a DANE task state/) });
    expect(parseReply('{"state": 412, "message": "x", "dependencies": "A"}')).toMatchObject({ ok: false });
  });
  it('fills in a missing message from the state table', () => {
    expect(parseReply('{"state": 200}')).toMatchObject({ ok: true, reply: { message: 'Success' } });
  });
});
