import { TaskState } from '@dane/core';
import { HISTORY_LENGTH, StoreReading } from './dashboard-snapshot';
import { failedSnapshot, nextSnapshot } from './throughput';

const reading = (t: number, counts: [string, number, number][]): StoreReading => ({
  t,
  counts: counts.map(([key, state, count]) => ({ key, state, count })),
  needsPerson: [],
  attention: { total: 0, tasks: [] },
});

describe('dashboard throughput', () => {
  it('has no rate on the first snapshot, then the growth of done tasks per second, per key and in all', () => {
    const first = nextSnapshot(undefined, reading(0, [['ASR', TaskState.CREATED, 10]]));
    expect(first).toMatchObject({ rate: null, total: 10, history: [], keys: [{ key: 'ASR', total: 10, byState: { [TaskState.CREATED]: 10 }, rate: null }] });
    const second = nextSnapshot(
      first,
      reading(2000, [
        ['ASR', TaskState.SUCCESS, 4],
        ['ASR', TaskState.CREATED, 6],
        ['OCR', TaskState.SUCCESS, 2],
      ]),
    );
    expect(second.keys.map((k) => [k.key, k.rate])).toEqual([
      ['ASR', 2],
      ['OCR', 1],
    ]);
    expect(second.rate).toBe(3);
    expect(second.history).toEqual([{ t: 2000, rate: 3 }]);
  });

  it('never reports a negative rate when done tasks are deleted', () => {
    const before = nextSnapshot(undefined, reading(0, [['ASR', TaskState.SUCCESS, 5]]));
    expect(nextSnapshot(before, reading(1000, [['ASR', TaskState.SUCCESS, 2]])).rate).toBe(0);
  });

  it(`keeps the last ${HISTORY_LENGTH} samples for the sparkline`, () => {
    let s = nextSnapshot(undefined, reading(0, []));
    for (let i = 1; i <= HISTORY_LENGTH + 5; i++) s = nextSnapshot(s, reading(i * 1000, [['K', TaskState.SUCCESS, i]]));
    expect(s.history).toHaveLength(HISTORY_LENGTH);
    expect(s.history[HISTORY_LENGTH - 1]).toEqual({ t: (HISTORY_LENGTH + 5) * 1000, rate: 1 });
  });

  it('keeps the last good counts when the store cannot be read, and says why', () => {
    const good = nextSnapshot(undefined, reading(0, [['ASR', TaskState.CREATED, 3]]));
    expect(failedSnapshot(good, 1000, 'The store could not be read: gone')).toMatchObject({ t: 1000, total: 3, error: 'The store could not be read: gone' });
    expect(failedSnapshot(undefined, 1000, 'x')).toMatchObject({ total: 0, keys: [], error: 'x' });
  });
});
