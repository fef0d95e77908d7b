import { decodeEvent, encodeEvent, checkEvent, type DaneEvent } from './event';

const at = '2026-12-02T04:15:00.000Z';

describe('event round trip', () => {
  it.each<[string, DaneEvent, string]>([
    ['a task state change', { type: 'task', task_id: 't1', document_id: 'd1', key: 'ASR', state: 200, previous_state: 102, attempt: 2, msg: 'Success', at }, 'task.ASR.200'],
    ['a new task', { type: 'task', task_id: 't1', document_id: 'd1', key: 'ASR', state: 201, previous_state: null, attempt: 0, msg: 'Created', at }, 'task.ASR.201'],
    ['a mass reset', { type: 'task', task_id: null, document_id: null, key: 'ASR', state: 205, previous_state: null, attempt: null, msg: '', at, count: 12 }, 'task.ASR.205'],
    ['a registered document', { type: 'document.registered', document_id: 'd1', target_id: 'ITM1', creator_id: 'NISV', at }, 'document.registered'],
    ['a deleted document', { type: 'document.deleted', document_id: 'd1', target_id: 42, creator_id: 'NISV', at }, 'document.deleted'],
    ['a stored result', { type: 'result.stored', result_id: 'r1', task_id: 't1', document_id: 'd1', key: 'ASR', at }, 'result.ASR.stored'],
  ])('gives back %s', (_what, event, routingKey) => {
    const encoded = encodeEvent(event);
    expect(encoded.routingKey).toBe(routingKey);
    expect(encoded.properties).toEqual({ contentType: 'application/json', persistent: true, type: event.type, timestamp: Math.floor(Date.parse(at) / 1000) });
    expect(JSON.parse(encoded.body.toString())).not.toHaveProperty('type');
    expect(checkEvent(event)).toBeUndefined();
    expect(decodeEvent(encoded.body, encoded.routingKey)).toEqual({ ok: true, event });
  });

  it('ignores keys it does not know', () => {
    const body = JSON.stringify({ result_id: 'r1', task_id: 't1', document_id: 'd1', key: 'ASR', at, extra: 1 });
    expect(decodeEvent(body, 'result.ASR.stored')).toEqual({ ok: true, event: { type: 'result.stored', result_id: 'r1', task_id: 't1', document_id: 'd1', key: 'ASR', at } });
  });

  const task = { task_id: 't1', document_id: 'd1', key: 'ASR', state: 200, previous_state: 102, attempt: 2, msg: 'ok', at };
  it.each([
    ['not JSON', '{', 'task.ASR.200', /not JSON/],
    ['not an object', '[1]', 'task.ASR.200', /not a JSON object/],
    ['an unknown routing key', JSON.stringify(task), 'task.ASR', /no DANE event/],
    ['a key that differs from the routing key', JSON.stringify(task), 'task.OCR.200', /does not match/],
    ['a state that differs from the routing key', JSON.stringify(task), 'task.ASR.500', /does not match/],
    ['a missing field', JSON.stringify({ ...task, msg: undefined }), 'task.ASR.200', /msg is missing/],
    ['a state that is no DANE state', JSON.stringify({ ...task, state: 299 }), 'task.ASR.299', /state must be/],
    ['a bad previous state', JSON.stringify({ ...task, previous_state: 'x' }), 'task.ASR.200', /previous_state/],
    ['a bad time', JSON.stringify({ ...task, at: 'yesterday' }), 'task.ASR.200', /ISO 8601/],
    ['a document without target id', JSON.stringify({ document_id: 'd1', target_id: null, creator_id: 'c', at }), 'document.registered', /target_id/],
  ])('rejects %s with a reason, never throwing', (_what, body, routingKey, reason) => {
    const decoded = decodeEvent(body, routingKey);
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.reason).toMatch(reason);
  });
});
