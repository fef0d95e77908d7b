import { DaneDocument, documentToJson } from '../model/document';
import { DaneTask, taskToJson } from '../model/task';
import { pythonJsonDumps } from './python-json';

/** Extensions travel in headers the original ignores (architecture: Messages). */
export const ATTEMPT_HEADER = 'x-dane-attempt';
/** Set on replies by our worker SDK: 'heartbeat' (state 102 with progress) or 'refused' (RefuseJob). */
export const REPLY_KIND_HEADER = 'x-dane-kind';

/**
 * Set (to `true`) by the scheduler on a task message whose depends_on keys are all 200. A worker
 * declared with `dependsOn` runs only tasks that carry it; otherwise it answers 412 with its keys.
 * Workers never read the store (architecture principle 7), so the message must say it.
 */
export const DEPENDENCIES_DONE_HEADER = 'x-dane-dependencies-done';

/** Routing key `<target.type>.<KEY>` (§3.2). */
export function routingKeyFor(document: DaneDocument, task: Pick<DaneTask, 'key'>): string {
  return `${document.target.type}.${task.key}`;
}

/** Body `{"task": Task.to_json(), "document": Document.to_json()}` with Python's spacing (§3.2). */
export function taskMessageBody(task: DaneTask, document: DaneDocument): Buffer {
  return Buffer.from(pythonJsonDumps({ task: taskToJson(task), document: documentToJson(document) }), 'utf8');
}

/** What a worker gets: the two flat objects of the body. */
export interface TaskMessage {
  task: Record<string, unknown> & { _id: string; key: string };
  document: Record<string, unknown> & { _id: string };
}

/** A worker's result sent over the broker to the results app (our extension; message_id de-duplicates). */
export interface ResultMessage {
  task_id: string;
  attempt?: number;
  generator: Record<string, unknown>;
  payload: Record<string, unknown>;
}
