import { ValidationError } from '@dane/core';
import { readResultMessage } from './result-message';

const generator = { id: 'abc', name: 'asr', type: 'Software', homepage: 'https://example.com' };

describe('readResultMessage', () => {
  it('reads task id, generator and payload; the attempt is informative only', () => {
    const r = readResultMessage(Buffer.from(JSON.stringify({ task_id: 't1', attempt: 2, generator, payload: { text: 'x' } })));
    expect(r).toEqual({ taskId: 't1', input: { generator: { ...generator, name: 'ASR' }, payload: { text: 'x' } } });
  });

  it.each([
    ['not JSON', '{'],
    ['not an object', '[1]'],
    ['no task id', JSON.stringify({ generator, payload: {} })],
    ['a bad generator type', JSON.stringify({ task_id: 't1', generator: { ...generator, type: 'Robot' }, payload: {} })],
    ['an unexpected field', JSON.stringify({ task_id: 't1', generator, payload: {}, extra: 1 })],
  ])('rejects %s with a ValidationError', (_what, body) => {
    expect(() => readResultMessage(Buffer.from(body))).toThrow(ValidationError);
  });
});
