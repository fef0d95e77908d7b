import { TaskState } from '../state/task-state';
import { ATTEMPT_HEADER, REPLY_KIND_HEADER } from './headers';
import { encodeReply, parseReply, readReply, type ReplyMessage, type ReplyOutcome } from './reply';

const TASK = 'a'.repeat(40);

function delivery(body: string, properties: Record<string, unknown> = {}): ReplyMessage {
  return { content: Buffer.from(body), properties: { correlationId: TASK, headers: {}, ...properties } };
}

describe('reply round trip (encodeReply → readReply)', () => {
  it.each<[string, ReplyOutcome]>([
    ['a success', { state: TaskState.SUCCESS, message: 'Success' }],
    ['an error with extra keys', { state: TaskState.ERROR, message: 'broke', size: 3, detail: { a: [1, 'é'] } }],
    ['a 412 with dependencies', { state: TaskState.UNFINISHED_DEPENDENCY, message: 'Unfinished dependencies', dependencies: ['DOWNLOAD', { key: 'ASR' }] }],
  ])('gives back %s', (_what, outcome) => {
    const encoded = encodeReply({ replyTo: 'DANE-response-queue', taskId: TASK, attempt: 3 }, outcome);
    expect(encoded.queue).toBe('DANE-response-queue');
    expect(encoded.properties).toEqual({ correlationId: TASK, persistent: true, headers: { [ATTEMPT_HEADER]: 3 } });
    const { state, message, dependencies, ...extra } = outcome;
    expect(readReply({ content: encoded.body, properties: encoded.properties })).toEqual({
      ok: true,
      taskId: TASK,
      incoming: { kind: 'outcome', attempt: 3, reply: { state, message, dependencies, extra } },
    });
  });

  it('writes the body as the Python worker does (json.dumps, state and message first)', () => {
    const encoded = encodeReply({ replyTo: 'q', taskId: TASK }, { size: 3, message: 'ok', state: 200 } as ReplyOutcome);
    expect(encoded.body.toString()).toBe('{"state": 200, "message": "ok", "size": 3}');
  });

  it('sends no headers at all without attempt and kind, and reads that back as a Python worker reply', () => {
    const encoded = encodeReply({ replyTo: 'q', taskId: TASK }, { state: TaskState.SUCCESS, message: 'Success' });
    expect(encoded.properties.headers).toBeUndefined();
    expect(readReply({ content: encoded.body, properties: encoded.properties })).toMatchObject({ ok: true, incoming: { kind: 'outcome', attempt: undefined } });
  });

  it('carries a refusal with its kind', () => {
    const encoded = encodeReply({ replyTo: 'q', taskId: TASK, attempt: 2 }, { state: TaskState.CREATED, message: 'Refused by worker: busy' }, 'refused');
    expect(encoded.properties.headers).toEqual({ [ATTEMPT_HEADER]: 2, [REPLY_KIND_HEADER]: 'refused' });
    expect(readReply({ content: encoded.body, properties: encoded.properties })).toMatchObject({ ok: true, incoming: { kind: 'refused', attempt: 2, reply: { state: 201 } } });
  });

  it('echoes attempt 0 (a reply older than any dispatch is stale, not malformed)', () => {
    const encoded = encodeReply({ replyTo: 'q', taskId: TASK, attempt: 0 }, { state: TaskState.ERROR, message: 'old' });
    expect(readReply({ content: encoded.body, properties: encoded.properties })).toMatchObject({ ok: true, incoming: { attempt: 0 } });
  });
});

describe('readReply (moved from apps/scheduler reply-envelope)', () => {
  it('reads a Python worker reply: correlation id and body, no headers', () => {
    const r = readReply(delivery(JSON.stringify({ state: TaskState.SUCCESS, message: 'Success' }), { headers: undefined }));
    expect(r).toEqual({
      ok: true,
      taskId: TASK,
      incoming: { kind: 'outcome', attempt: undefined, reply: { state: TaskState.SUCCESS, message: 'Success', dependencies: undefined, extra: {} } },
    });
  });

  it('reads our extensions: the attempt header (number, numeric string, bytes) and the reply kind', () => {
    const hb = readReply(delivery(JSON.stringify({ state: TaskState.QUEUED, message: '50%' }), { headers: { [ATTEMPT_HEADER]: 3, [REPLY_KIND_HEADER]: 'heartbeat' } }));
    expect(hb).toMatchObject({ ok: true, incoming: { kind: 'heartbeat', attempt: 3 } });
    expect(readReply(delivery(JSON.stringify({ state: TaskState.SUCCESS }), { headers: { [ATTEMPT_HEADER]: '4' } }))).toMatchObject({ ok: true, incoming: { attempt: 4 } });
    expect(
      readReply(delivery(JSON.stringify({ state: TaskState.SUCCESS }), { headers: { [ATTEMPT_HEADER]: Buffer.from('5'), [REPLY_KIND_HEADER]: Buffer.from('refused') } })),
    ).toMatchObject({
      ok: true,
      incoming: { attempt: 5, kind: 'refused' },
    });
  });

  it('reads an unknown kind as an outcome', () => {
    expect(readReply(delivery(JSON.stringify({ state: TaskState.SUCCESS }), { headers: { [REPLY_KIND_HEADER]: 'other' } }))).toMatchObject({
      ok: true,
      incoming: { kind: 'outcome' },
    });
  });

  it('takes a refusal without a usable body as a refusal', () => {
    const r = readReply(delivery('', { headers: { [REPLY_KIND_HEADER]: 'refused' } }));
    expect(r).toMatchObject({ ok: true, incoming: { kind: 'refused', reply: { message: 'Job refused' } } });
  });

  it.each([
    ['no correlation id', delivery(JSON.stringify({ state: TaskState.SUCCESS }), { correlationId: undefined }), /correlation_id/],
    ['not JSON', delivery('{state: 200'), /not JSON/],
    ['a state that is no DANE state', delivery('{"state": 299, "message": "x"}'), /not a DANE task state/],
    ['a non-numeric attempt', delivery(JSON.stringify({ state: TaskState.SUCCESS }), { headers: { [ATTEMPT_HEADER]: 'two' } }), /attempt/],
    ['a negative attempt', delivery(JSON.stringify({ state: TaskState.SUCCESS }), { headers: { [ATTEMPT_HEADER]: -1 } }), /attempt/],
    ['a fractional attempt', delivery(JSON.stringify({ state: TaskState.SUCCESS }), { headers: { [ATTEMPT_HEADER]: 1.5 } }), /attempt/],
  ])('rejects a reply with %s, never throwing', (_what, msg, reason) => {
    const r = readReply(msg);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(reason);
  });

  it('keeps the task id of a reply it rejects for its body or attempt', () => {
    expect(readReply(delivery('nope'))).toMatchObject({ ok: false, taskId: TASK });
  });

  it('decodes a double-encoded body once more (docs/protocol.md, Replies)', () => {
    expect(readReply(delivery(JSON.stringify(JSON.stringify({ state: TaskState.NOT_FOUND, message: 'gone' }))))).toMatchObject({
      ok: true,
      incoming: { reply: { state: TaskState.NOT_FOUND } },
    });
  });
});

describe('reply body parsing (docs/protocol.md, Replies)', () => {
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

  it('fills in a missing message from the state table; a non-string message becomes its JSON', () => {
    expect(parseReply('{"state": 200}')).toMatchObject({ ok: true, reply: { message: 'Success' } });
    expect(parseReply('{"state": 500, "message": {"a": 1}}')).toMatchObject({ ok: true, reply: { message: '{"a":1}' } });
  });
});
