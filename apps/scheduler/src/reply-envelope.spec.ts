import { TaskState } from '@dane/core';
import { readReply } from './reply-envelope';

function delivery(body: string, properties: Record<string, unknown> = {}) {
  return { content: Buffer.from(body), properties: { correlationId: 'a'.repeat(40), headers: {}, ...properties } } as Parameters<typeof readReply>[0];
}

describe('readReply', () => {
  it('reads a Python worker reply: correlation id and body, no headers', () => {
    const r = readReply(delivery(JSON.stringify({ state: TaskState.SUCCESS, message: 'Success' }), { headers: undefined }));
    expect(r).toEqual({ ok: true, taskId: 'a'.repeat(40), incoming: { kind: 'outcome', attempt: undefined, reply: { state: TaskState.SUCCESS, message: 'Success', dependencies: undefined, extra: {} } } });
  });

  it('reads our extensions: the attempt header (number or numeric string) and the reply kind', () => {
    const hb = readReply(delivery(JSON.stringify({ state: TaskState.QUEUED, message: '50%' }), { headers: { 'x-dane-attempt': 3, 'x-dane-kind': 'heartbeat' } }));
    expect(hb).toMatchObject({ ok: true, incoming: { kind: 'heartbeat', attempt: 3 } });
    expect(readReply(delivery(JSON.stringify({ state: TaskState.SUCCESS }), { headers: { 'x-dane-attempt': '4' } }))).toMatchObject({ ok: true, incoming: { attempt: 4 } });
  });

  it('takes a refusal without a usable body as a refusal', () => {
    const r = readReply(delivery('', { headers: { 'x-dane-kind': 'refused' } }));
    expect(r).toMatchObject({ ok: true, incoming: { kind: 'refused', reply: { message: 'Job refused' } } });
  });

  it.each([
    ['no correlation id', delivery(JSON.stringify({ state: TaskState.SUCCESS }), { correlationId: undefined }), /correlation_id/],
    ['not JSON', delivery('{state: TaskState.SUCCESS'), /not JSON/],
    ['a state that is no DANE state', delivery('{"state": 299, "message": "x"}'), /not a DANE task state/],
    ['a non-numeric attempt', delivery(JSON.stringify({ state: TaskState.SUCCESS }), { headers: { 'x-dane-attempt': 'two' } }), /attempt/],
  ])('rejects a reply with %s, never throwing', (_what, msg, reason) => {
    const r = readReply(msg);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(reason);
  });

  it('decodes a double-encoded body once more (§3.4)', () => {
    expect(readReply(delivery(JSON.stringify(JSON.stringify({ state: TaskState.NOT_FOUND, message: 'gone' }))))).toMatchObject({ ok: true, incoming: { reply: { state: TaskState.NOT_FOUND } } });
  });
});
