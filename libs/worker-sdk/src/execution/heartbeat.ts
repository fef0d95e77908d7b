/**
 * Sends a heartbeat every `intervalMs` while a callback runs, so the server's lease on the task is
 * extended for as long as the worker is alive; a killed worker stops beating and the lease runs out.
 */
export class Heartbeat {
  private timer?: NodeJS.Timeout;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly intervalMs: number,
    private readonly beat: () => Promise<void>,
  ) {}

  start(): void {
    if (!(this.intervalMs > 0) || !Number.isFinite(this.intervalMs)) return;
    this.timer = setInterval(() => {
      this.inFlight = this.beat().catch(() => undefined);
    }, this.intervalMs);
  }

  /** Stops and waits for a beat being sent, so no heartbeat can follow the final reply. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }
}
