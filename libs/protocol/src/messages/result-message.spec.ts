import { ValidationError } from '../errors';
import { ATTEMPT_HEADER } from './headers';
import { decodeResultMessage, encodeResultMessage, readResultMessage } from './result-message';

const generator = { id: 'abc', name: 'asr', type: 'Software' as const, homepage: 'https://example.com' };

describe('result message round trip', () => {
  it('encode → decode gives back task id, attempt, generator (name upper-cased), payload and message id', () => {
    const encoded = encodeResultMessage({ taskId: 't1', attempt: 2, generator, payload: { text: 'x', n: [1, 2] } }, 'm-1');
    expect(encoded.messageId).toBe('m-1');
    expect(encoded.properties).toEqual({ persistent: true, messageId: 'm-1', contentType: 'application/json', headers: { [ATTEMPT_HEADER]: 2 } });
    expect(JSON.parse(encoded.body.toString())).toEqual({ task_id: 't1', attempt: 2, generator, payload: { text: 'x', n: [1, 2] } });
    expect(decodeResultMessage({ content: encoded.body, properties: encoded.properties })).toEqual({
      ok: true,
      result: { taskId: 't1', attempt: 2, messageId: 'm-1', input: { generator: { ...generator, name: 'ASR' }, payload: { text: 'x', n: [1, 2] } } },
    });
  });

  it('gives every result a fresh message id, and leaves out an attempt it does not know', () => {
    const a = encodeResultMessage({ taskId: 't1', generator, payload: {} });
    const b = encodeResultMessage({ taskId: 't1', generator, payload: {} });
    expect(a.messageId).not.toBe(b.messageId);
    expect(a.properties.headers).toBeUndefined();
    expect(a.body.toString()).not.toContain('attempt');
    expect(readResultMessage(a.body, a.properties)).toEqual({ taskId: 't1', messageId: a.messageId, input: { generator: { ...generator, name: 'ASR' }, payload: {} } });
  });

  it('refuses a payload that is not an object (docs/protocol.md, Result)', () => {
    expect(() => encodeResultMessage({ taskId: 't1', generator, payload: [] as unknown as Record<string, unknown> })).toThrow(TypeError);
  });
});

describe('readResultMessage (moved from apps/results result-message)', () => {
  it('reads task id, generator and payload; the attempt is informative only', () => {
    const r = readResultMessage(Buffer.from(JSON.stringify({ task_id: 't1', attempt: 2, generator, payload: { text: 'x' } })));
    expect(r).toEqual({ taskId: 't1', attempt: 2, input: { generator: { ...generator, name: 'ASR' }, payload: { text: 'x' } } });
  });

  it('leaves out an unusable attempt instead of rejecting the result; takes the header when the body has none', () => {
    expect(readResultMessage(Buffer.from(JSON.stringify({ task_id: 't1', attempt: 'x', generator, payload: {} })))).not.toHaveProperty('attempt');
    expect(readResultMessage(Buffer.from(JSON.stringify({ task_id: 't1', generator, payload: {} })), { headers: { [ATTEMPT_HEADER]: '4' } })).toMatchObject({ attempt: 4 });
  });

  it('decodes a double-encoded message once more', () => {
    expect(readResultMessage(Buffer.from(JSON.stringify(JSON.stringify({ task_id: 't1', generator, payload: {} }))))).toMatchObject({ taskId: 't1' });
  });

  it.each([
    ['not JSON', '{'],
    ['not an object', '[1]'],
    ['no task id', JSON.stringify({ generator, payload: {} })],
    ['a bad generator type', JSON.stringify({ task_id: 't1', generator: { ...generator, type: 'Robot' }, payload: {} })],
    ['an unexpected field', JSON.stringify({ task_id: 't1', generator, payload: {}, extra: 1 })],
  ])('rejects %s with a ValidationError (and decodeResultMessage with a reason)', (_what, body) => {
    expect(() => readResultMessage(Buffer.from(body))).toThrow(ValidationError);
    expect(decodeResultMessage({ content: Buffer.from(body) })).toMatchObject({ ok: false, reason: expect.any(String) });
  });
});
