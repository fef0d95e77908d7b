import { Inject, Injectable } from '@nestjs/common';
import { DANE_STORE, DaneStore, DaneTask, taskView } from '@dane/core';
import { ATTENTION_LIMIT, StoreReading } from './dashboard-snapshot';

/**
 * Reads what the dashboard shows: counts by key × state, the tasks that need a person by key, and the newest
 * of them ("Needs attention": lifecycle/needs-person.ts — manual states, retries spent, blocked by such a task).
 */
@Injectable()
export class StoreReader {
  constructor(@Inject(DANE_STORE) private readonly store: DaneStore) {}

  async read(): Promise<StoreReading> {
    const t = Date.now();
    const [counts, needsPerson] = await Promise.all([this.store.tasks.countByKeyAndState(), this.store.tasks.countNeedingPerson()]);
    // The exact number of tasks needing a person, from the counts (a long list's own total may be an estimate).
    const attentionTotal = needsPerson.reduce((n, c) => n + c.count, 0);
    const attention = await this.newestAttention(attentionTotal);
    return { t, counts, needsPerson, attention: { total: attention.total, tasks: attention.tasks.map(taskView) } };
  }

  /**
   * Lists are in insertion order, so the newest are on the last pages: read the last page and, when
   * it is short, the one before it. Answers them newest first.
   */
  private async newestAttention(total: number): Promise<{ total: number; tasks: DaneTask[] }> {
    const filter = { needsPerson: true };
    if (total <= ATTENTION_LIMIT) {
      const first = await this.store.tasks.list(filter, { page: 1, size: ATTENTION_LIMIT });
      return { total: first.total, tasks: [...first.items].reverse() };
    }
    const lastPage = Math.ceil(total / ATTENTION_LIMIT);
    const [before, last] = await Promise.all([
      this.store.tasks.list(filter, { page: lastPage - 1, size: ATTENTION_LIMIT }),
      this.store.tasks.list(filter, { page: lastPage, size: ATTENTION_LIMIT }),
    ]);
    return { total, tasks: [...before.items, ...last.items].reverse().slice(0, ATTENTION_LIMIT) };
  }
}
