import { randomUUID } from 'node:crypto';
import { ValidationError } from '../errors';
import { parseResultInput, type Generator } from '../model/result';
import { ATTEMPT_HEADER, attemptHeaders, decodeAttempt, type HeaderTable } from './headers';

/**
 * The result message (our extension): a worker's result sent over the broker to the results queue
 * (workers never write the store, principle 7). Body `{task_id, attempt?, generator, payload}` as
 * JSON, persistent, a fresh `messageId` per result so the results app keeps one copy of a message
 * published twice, and the attempt also in `x-dane-attempt`.
 */
export interface ResultMessage {
  task_id: string;
  attempt?: number;
  generator: Record<string, unknown>;
  payload: Record<string, unknown>;
}

export interface ResultToSend {
  taskId: string;
  attempt?: number;
  generator: Generator | Record<string, unknown>;
  payload: Record<string, unknown>;
}

export interface EncodedResultMessage {
  messageId: string;
  body: Buffer;
  properties: { persistent: true; messageId: string; contentType: 'application/json'; headers?: Record<string, unknown> };
}

/** A result payload must be a dict (Result() raises TypeError otherwise; docs/protocol.md, Result). */
export function assertResultPayload(payload: unknown): asserts payload is Record<string, unknown> {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new TypeError('A result payload must be a JSON object');
  }
}

/** Encodes a result for the results queue. Throws TypeError when the payload is not an object. */
export function encodeResultMessage(result: ResultToSend, messageId: string = randomUUID()): EncodedResultMessage {
  assertResultPayload(result.payload);
  const message: ResultMessage = { task_id: result.taskId, attempt: result.attempt, generator: { ...result.generator }, payload: result.payload };
  const headers = attemptHeaders(result.attempt);
  return {
    messageId,
    body: Buffer.from(JSON.stringify(message), 'utf8'),
    properties: { persistent: true, messageId, contentType: 'application/json', headers: Object.keys(headers).length ? headers : undefined },
  };
}

/** A result message as the results app takes it in. */
export interface ResultIntake {
  taskId: string;
  input: { generator: Generator; payload: Record<string, unknown> };
  /** The attempt that produced it: informative only (a result of an earlier attempt is still a result). */
  attempt?: number;
  /** messageId of the delivery (de-duplication key), when the properties were given and carry one. */
  messageId?: string;
}

export interface ResultDelivery {
  content: Buffer;
  properties?: { messageId?: unknown; headers?: HeaderTable };
}

/**
 * A result message → task id and result input, validated by the model's result rules
 * (docs/protocol.md, Result). Same leniency as replies: a JSON string holding the object is decoded once
 * more. The attempt (body, else header, by the one attempt rule) is informative only: an unusable one is left
 * out, not rejected. Throws ValidationError.
 */
export function readResultMessage(content: Buffer, properties?: ResultDelivery['properties']): ResultIntake {
  let data: unknown;
  try {
    data = JSON.parse(content.toString('utf8'));
    if (typeof data === 'string') data = JSON.parse(data);
  } catch (e) {
    throw new ValidationError(`result message is not JSON: ${String(e.message).slice(0, 120)}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ValidationError('result message is not a JSON object');
  const { task_id: taskId, attempt: rawAttempt, ...result } = data as Partial<ResultMessage> & Record<string, unknown>;
  if (typeof taskId !== 'string' || taskId === '') throw new ValidationError('result message needs task_id (a task id)');
  const intake: ResultIntake = { taskId, input: parseResultInput(result) };
  const fromBody = decodeAttempt(rawAttempt);
  const attempt = fromBody.ok && fromBody.attempt !== undefined ? fromBody : decodeAttempt(properties?.headers?.[ATTEMPT_HEADER]);
  if (attempt.ok && attempt.attempt !== undefined) intake.attempt = attempt.attempt;
  if (typeof properties?.messageId === 'string' && properties.messageId !== '') intake.messageId = properties.messageId;
  return intake;
}

export type DecodedResultMessage = { ok: true; result: ResultIntake } | { ok: false; reason: string };

/** readResultMessage without throwing: a malformed message is a failure with a reason. */
export function decodeResultMessage(msg: ResultDelivery): DecodedResultMessage {
  try {
    return { ok: true, result: readResultMessage(msg.content, msg.properties) };
  } catch (e) {
    if (e instanceof ValidationError) return { ok: false, reason: e.message };
    throw e;
  }
}
