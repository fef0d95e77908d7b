import { Inject, Injectable } from '@nestjs/common';
import { DANE_STORE, DaneStore, DaneTask, taskView } from '@dane/core';
import { ATTENTION_LIMIT, ATTENTION_STATES, StoreReading } from './dashboard-snapshot';

/** Reads what the dashboard shows: counts by key × state, and the newest tasks needing attention. */
@Injectable()
export class StoreReader {
  constructor(@Inject(DANE_STORE) private readonly store: DaneStore) {}

  async read(): Promise<StoreReading> {
    const t = Date.now();
    const [counts, attention] = await Promise.all([this.store.tasks.countByKeyAndState(), this.newestAttention()]);
    return { t, counts, attention: { total: attention.total, tasks: attention.tasks.map(taskView) } };
  }

  /**
   * Lists are in insertion order, so the newest are on the last pages: read the last page and, when
   * it is short, the one before it. Answers them newest first.
   */
  private async newestAttention(): Promise<{ total: number; tasks: DaneTask[] }> {
    const filter = { states: ATTENTION_STATES };
    const first = await this.store.tasks.list(filter, { page: 1, size: ATTENTION_LIMIT });
    if (first.total <= ATTENTION_LIMIT) return { total: first.total, tasks: [...first.items].reverse() };
    const lastPage = Math.ceil(first.total / ATTENTION_LIMIT);
    const [before, last] = await Promise.all([
      this.store.tasks.list(filter, { page: lastPage - 1, size: ATTENTION_LIMIT }),
      this.store.tasks.list(filter, { page: lastPage, size: ATTENTION_LIMIT }),
    ]);
    return { total: last.total, tasks: [...before.items, ...last.items].reverse().slice(0, ATTENTION_LIMIT) };
  }
}
