import type { DocumentView, TaskView } from '@dane/client';
import { renderTable } from './table';
import { stateLabel } from './state-label';

/** A table of tasks: what `dane tasks` and `dane status <doc>` print. */
export function taskTable(tasks: readonly TaskView[], withDocument: boolean): string[] {
  return renderTable(
    [{ header: 'TASK' }, { header: 'KEY' }, { header: 'STATE' }, { header: 'MESSAGE', max: 60 }, { header: 'UPDATED' }, ...(withDocument ? [{ header: 'DOCUMENT' }] : [])],
    tasks.map((t) => [t._id, t.key, stateLabel(t.state), t.msg, t.updated_at, ...(withDocument ? [t.document_id] : [])]),
  );
}

/** Two lines about a document. */
export function documentLines(doc: DocumentView): string[] {
  return [
    `document ${doc._id}`,
    `  target ${String(doc.target.id)} (${doc.target.type}) ${doc.target.url}`,
    `  creator ${String(doc.creator.id)} (${doc.creator.type}), registered ${doc.created_at}`,
  ];
}

/** A task in detail. */
export function taskLines(task: TaskView): string[] {
  const deps = task.depends_on?.length ? `, waits for ${task.depends_on.join(', ')}` : '';
  const args = task.args && !('*' in task.args) ? `  args ${JSON.stringify(task.args)}` : undefined;
  return [
    `task ${task._id}`,
    `  ${task.key}: ${stateLabel(task.state)} — ${task.msg ?? ''}`,
    `  priority ${task.priority}, attempt ${task.attempt ?? 0}${deps}`,
    `  created ${task.created_at}, updated ${task.updated_at}`,
    ...(args ? [args] : []),
  ];
}
