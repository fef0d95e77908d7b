import { Generator, ResultMessage, ValidationError, parseResultInput } from '@dane/core';

export interface ResultIntake {
  taskId: string;
  input: { generator: Generator; payload: Record<string, unknown> };
}

/**
 * A result message from a worker (our extension, `ResultMessage`): `{task_id, attempt?, generator,
 * payload}` as JSON, validated by the model's result rules (§1.3). Throws ValidationError.
 */
export function readResultMessage(content: Buffer): ResultIntake {
  let data: unknown;
  try {
    data = JSON.parse(content.toString('utf8'));
    // Same leniency as replies: a JSON string holding the object is decoded once more.
    if (typeof data === 'string') data = JSON.parse(data);
  } catch (e) {
    throw new ValidationError(`result message is not JSON: ${String(e.message).slice(0, 120)}`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new ValidationError('result message is not a JSON object');
  const { task_id: taskId, attempt: _attempt, ...result } = data as Partial<ResultMessage> & Record<string, unknown>;
  if (typeof taskId !== 'string' || taskId === '') throw new ValidationError('result message needs task_id (a task id)');
  return { taskId, input: parseResultInput(result) };
}
