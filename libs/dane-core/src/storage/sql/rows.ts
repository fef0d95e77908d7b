import { Creator, DaneDocument, Target, DaneResult, Generator, DaneTask, withStringIds } from '@dane/protocol';

/**
 * Column lists and row → model mappers. Every SELECT/RETURNING names its columns (no `*`), and a
 * `prefix` lets a join return a document beside a task without name clashes.
 */
export function documentColumns(alias: string, prefix = ''): string {
  return ['id', 'target', 'creator', 'created_at', 'updated_at'].map((c) => `${alias}.${c} AS ${prefix}${c}`).join(', ');
}

const TASK_COLUMN_NAMES = ['id', 'document_id', 'key', 'state', 'msg', 'priority', 'args', 'depends_on', 'attempt', 'retries', 'created_at', 'updated_at'] as const;

export function taskColumns(alias: string): string {
  return TASK_COLUMN_NAMES.map((c) => `${alias}.${c}`).join(', ');
}

export function resultColumns(alias: string): string {
  return ['id', 'task_id', 'document_id', 'task_key', 'generator', 'payload', 'created_at', 'updated_at'].map((c) => `${alias}.${c}`).join(', ');
}

type Row = Record<string, unknown>;

/** A document row; ids as strings even in a row written before the server stored them so (withStringIds). */
export function documentFromRow(row: Row, prefix = ''): DaneDocument {
  return withStringIds({
    _id: row[`${prefix}id`] as string,
    target: row[`${prefix}target`] as Target,
    creator: row[`${prefix}creator`] as Creator,
    created_at: row[`${prefix}created_at`] as string,
    updated_at: row[`${prefix}updated_at`] as string,
  });
}

export function taskFromRow(row: Row): DaneTask {
  return {
    _id: row.id as string,
    document_id: row.document_id as string,
    key: row.key as string,
    state: Number(row.state),
    msg: row.msg as string,
    priority: Number(row.priority),
    args: (row.args ?? {}) as Record<string, unknown>,
    created_at: row.created_at as string,
    updated_at: row.updated_at as string,
    attempt: Number(row.attempt),
    retries: Number(row.retries ?? 0),
    depends_on: (row.depends_on ?? []) as string[],
  };
}

export function resultFromRow(row: Row): DaneResult {
  return {
    _id: row.id as string,
    task_id: row.task_id as string,
    document_id: row.document_id as string,
    task_key: row.task_key as string,
    generator: row.generator as Generator,
    payload: row.payload as Record<string, unknown>,
    created_at: row.created_at as string,
    updated_at: row.updated_at as string,
  };
}
