import { TaskState } from '../state/task-state';
import { ATTEMPT_HEADER, REPLY_KIND_HEADER } from './headers';
import { decodeHeartbeat, encodeHeartbeat } from './heartbeat';
import { encodeReply, readReply } from './reply';

describe('heartbeat round trip', () => {
  it('encode → decode gives back task, attempt and progress', () => {
    const encoded = encodeHeartbeat({ replyTo: 'q', taskId: 't1', attempt: 2 }, '50%');
    expect(encoded.body.toString()).toBe('{"state": 102, "message": "50%"}');
    expect(encoded.properties).toEqual({ correlationId: 't1', persistent: true, headers: { [ATTEMPT_HEADER]: 2, [REPLY_KIND_HEADER]: 'heartbeat' } });
    expect(decodeHeartbeat({ content: encoded.body, properties: encoded.properties })).toEqual({ ok: true, heartbeat: { taskId: 't1', attempt: 2, progress: '50%' } });
    expect(readReply({ content: encoded.body, properties: encoded.properties })).toMatchObject({ ok: true, incoming: { kind: 'heartbeat', reply: { state: TaskState.QUEUED } } });
  });

  it('says "Processing" without progress, and works without attempt', () => {
    const encoded = encodeHeartbeat({ replyTo: 'q', taskId: 't1' });
    expect(encoded.properties.headers).toEqual({ [REPLY_KIND_HEADER]: 'heartbeat' });
    expect(decodeHeartbeat({ content: encoded.body, properties: encoded.properties })).toEqual({
      ok: true,
      heartbeat: { taskId: 't1', attempt: undefined, progress: 'Processing' },
    });
  });

  it('is no outcome, and an outcome is no heartbeat', () => {
    const outcome = encodeReply({ replyTo: 'q', taskId: 't1' }, { state: TaskState.SUCCESS, message: 'done' });
    expect(decodeHeartbeat({ content: outcome.body, properties: outcome.properties })).toMatchObject({ ok: false, taskId: 't1', reason: expect.stringMatching(/no heartbeat/) });
    const odd = encodeReply({ replyTo: 'q', taskId: 't1' }, { state: TaskState.SUCCESS, message: 'done' }, 'heartbeat');
    expect(decodeHeartbeat({ content: odd.body, properties: odd.properties })).toMatchObject({ ok: false, reason: expect.stringMatching(/state 200/) });
  });
});
