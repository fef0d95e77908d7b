import { DaneDocument } from '@dane/protocol';
import { makeTask } from '../../sql/store-contract.fixtures';
import { Stored } from './es-replies';

/** A task as stored, at seq_no `seqNo`, with `ext` merged into its `dane_node` extension. */
export type StoredTaskOf = (key: string, state: number, seqNo: number, ext?: Record<string, unknown>) => Stored;

/** `storedTask(key, state, seqNo, ext)` for tasks of `doc`. */
export function storedTasksOf(doc: DaneDocument): StoredTaskOf {
  return (key, state, seqNo, ext = {}) => {
    const task = makeTask(doc, key);
    return {
      id: task._id,
      seqNo,
      routing: doc._id,
      source: {
        task: { key, state, msg: `msg of ${key}`, priority: 5 },
        role: { name: 'task', parent: doc._id },
        created_at: task.created_at,
        updated_at: task.updated_at,
        dane_node: { seq: seqNo, attempt: 0, retries: 0, depends_on: [], ...ext },
      },
    };
  };
}
