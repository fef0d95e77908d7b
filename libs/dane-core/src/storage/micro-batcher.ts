/**
 * Folds single writes that arrive together into one multi-row statement: one round trip and one
 * commit (one WAL flush) for many concurrent requests instead of one each. Items submitted in the
 * same turn of the event loop, or while the previous batch is being written, form the next batch
 * (at most `maxBatch`). Each caller gets its own item's outcome. When a batch of several fails as a
 * whole (the statement threw), its items are written again one by one, so that one bad item fails
 * alone.
 */
export class MicroBatcher<I, O> {
  private queue: Array<{ item: I; resolve: (out: O) => void; reject: (err: unknown) => void }> = [];
  private writing = false;
  private scheduled = false;

  constructor(
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly maxBatch = 500,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.writing || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.writing || this.queue.length === 0) return;
    this.writing = true;
    const batch = this.queue.splice(0, this.maxBatch);
    try {
      const out = await this.write(batch.map((b) => b.item));
      batch.forEach((b, i) => b.resolve(out[i]));
    } catch (err) {
      if (batch.length === 1) batch[0].reject(err);
      else for (const b of batch) await this.write([b.item]).then(([out]) => b.resolve(out), b.reject);
    } finally {
      this.writing = false;
      if (this.queue.length > 0) this.schedule();
    }
  }
}
