import { DaneTask, StorageUnavailableError } from '@dane/protocol';
import { bulkItemError } from './es-errors';
import { EsHit, EsIndex, isStoredAs, versionOf } from './es-index';
import { Refresh } from './refresh-policy';
import { TaskSource, isTaskSource, taskFromHit } from './sources';
import { mergeDoc } from './source-merge';
import { TaskDoc } from './task-changes';

/** Decides the write for a task as read; null: the condition does not hold, nothing is written. */
export type Decide = (task: TaskSource) => TaskDoc | null;

export interface VersionedWrite {
  hit: EsHit<TaskSource>;
  doc: TaskDoc;
}

/**
 * A write that loses a race this often means a task rewritten in a tight loop by someone else;
 * giving up loudly beats spinning.
 */
const MAX_ROUNDS = 10;

/**
 * Conditional task writes without transactions: read the task (a realtime GET, with its
 * seq_no/primary_term), decide, and update with `if_seq_no`/`if_primary_term`. A 409 means someone
 * wrote in between: the task is read and the condition decided again — exactly what a row lock
 * gives the SQL store — so of two writers with the same condition one wins and the other then sees
 * the condition fail and gets null.
 */
export class TaskWriter {
  constructor(private readonly index: EsIndex) {}

  /** A task by id (realtime), or null when absent or not a task. */
  async read(id: string): Promise<EsHit<TaskSource> | null> {
    const hit = await this.index.get<unknown>(id);
    return hit && isTaskSource(hit._source) ? (hit as EsHit<TaskSource>) : null;
  }

  async readMany(ids: string[]): Promise<Map<string, EsHit<TaskSource>>> {
    const hits = await this.index.mget<unknown>(ids);
    return new Map(hits.filter((h) => isTaskSource(h._source)).map((h) => [h._id, h as EsHit<TaskSource>]));
  }

  async writeOne(id: string, decide: Decide, refresh: Refresh): Promise<DaneTask | null> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const hit = await this.read(id);
      if (!hit) return null;
      const doc = decide(hit._source);
      if (!doc) return null;
      const [after] = await this.writeAt([{ hit, doc }], refresh);
      if (after) return after;
    }
    throw new StorageUnavailableError(`Task ${id} kept changing under ${MAX_ROUNDS} conditional writes in a row`);
  }

  /**
   * Many conditional writes, one `_bulk` per round; result i belongs to item i. Of several items
   * for one task only the first whose condition holds is applied, the others get null.
   */
  async writeMany(items: { id: string; decide: Decide }[], refresh: Refresh): Promise<(DaneTask | null)[]> {
    const out: (DaneTask | null)[] = items.map(() => null);
    const written = new Set<string>();
    let pending = items.map((_, i) => i);
    for (let round = 0; round < MAX_ROUNDS && pending.length > 0; round++) {
      const hits = await this.readMany(pending.map((i) => items[i].id));
      const writes: Array<VersionedWrite & { item: number }> = [];
      const chosen = new Set<string>();
      for (const i of pending) {
        const hit = hits.get(items[i].id);
        if (!hit || written.has(hit._id) || chosen.has(hit._id)) continue;
        const doc = items[i].decide(hit._source);
        if (!doc) continue;
        chosen.add(hit._id);
        writes.push({ item: i, hit, doc });
      }
      const after = await this.writeAt(writes, refresh);
      pending = [];
      writes.forEach((w, k) => {
        if (after[k]) {
          out[w.item] = after[k];
          written.add(w.hit._id);
        } else pending.push(w.item);
      });
    }
    if (pending.length > 0) throw new StorageUnavailableError(`${pending.length} task(s) kept changing under ${MAX_ROUNDS} conditional writes in a row`);
    return out;
  }

  /**
   * Applies each doc at the version it was decided on, in one request (`_update` for one, `_bulk`
   * for more). Returns the task as now stored, or null where the version had moved on (409) or the
   * task was deleted (404). The stored source is computed, not read back: the write only succeeds
   * if the source we merged into is the one stored. After a resend (es-index.ts, send) a 409 is read
   * back: a task stored exactly as this write leaves it (the same attempt, lease and state change to
   * the millisecond) was written by our earlier send, so a resent claim does not lose its tasks.
   */
  async writeAt(writes: VersionedWrite[], refresh: Refresh): Promise<(DaneTask | null)[]> {
    const what = 'change task states';
    if (writes.length === 0) return [];
    const merged = writes.map(({ hit, doc }) => mergeDoc(hit._source, doc));
    if (writes.length === 1) {
      const { hit, doc } = writes[0];
      const applied = (stored: unknown) => isStoredAs(stored, merged[0]);
      const ok = await this.index.updateAt(hit._id, versionOf(hit), doc, { routing: hit._routing, refresh, what, applied });
      return [ok ? taskFromHit({ ...hit, _source: merged[0] }) : null];
    }
    const lines = writes.flatMap(({ hit, doc }) => {
      const v = versionOf(hit);
      return [{ update: { _id: hit._id, routing: hit._routing, if_seq_no: v.seqNo, if_primary_term: v.primaryTerm } }, { doc }];
    });
    const items = await this.index.bulk(lines, refresh, what, (k, current) => current !== null && isStoredAs(current._source, merged[k]));
    return writes.map(({ hit }, k) => {
      const item = items[k];
      if (item.status === 409 || item.status === 404) return null;
      if (item.status >= 300) throw bulkItemError(item, this.index.where, what);
      return taskFromHit({ ...hit, _source: merged[k] });
    });
  }
}
