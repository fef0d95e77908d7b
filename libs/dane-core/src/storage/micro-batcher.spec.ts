import { MicroBatcher } from './micro-batcher';

describe('MicroBatcher', () => {
  it('writes what is submitted in one turn as one batch, and what arrives during a write as the next', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const batcher = new MicroBatcher<number, string>(async (items) => {
      batches.push(items);
      if (batches.length === 1) await gate;
      return items.map((i) => `#${i}`);
    });
    const first = [1, 2, 3].map((i) => batcher.submit(i));
    await new Promise((r) => setImmediate(r));
    const second = [4, 5].map((i) => batcher.submit(i)); // the first batch is still being written
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[1, 2, 3]]);
    release();
    expect(await Promise.all([...first, ...second])).toEqual(['#1', '#2', '#3', '#4', '#5']);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('caps a batch at maxBatch', async () => {
    const sizes: number[] = [];
    const batcher = new MicroBatcher<number, number>(async (items) => {
      sizes.push(items.length);
      return items;
    }, 2);
    expect(await Promise.all([1, 2, 3, 4, 5].map((i) => batcher.submit(i)))).toEqual([1, 2, 3, 4, 5]);
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('when a batch fails as a whole, writes its items one by one so only the bad one fails', async () => {
    const batcher = new MicroBatcher<number, number>(async (items) => {
      if (items.includes(13)) throw new Error(`13 is bad (batch of ${items.length})`);
      return items.map((i) => i * 2);
    });
    const results = await Promise.allSettled([12, 13, 14].map((i) => batcher.submit(i)));
    expect(results).toEqual([
      { status: 'fulfilled', value: 24 },
      { status: 'rejected', reason: new Error('13 is bad (batch of 1)') },
      { status: 'fulfilled', value: 28 },
    ]);
  });
});
