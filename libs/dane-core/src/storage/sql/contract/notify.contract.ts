import { DaneStore } from '../../store.port';

/**
 * Subscribes (waiting until the subscription is live) and hands back a promise of the next
 * wake-up, which rejects after `ms`.
 */
export async function nextWakeUp(store: DaneStore, ms = 5_000): Promise<{ woken: Promise<void> }> {
  let wake!: () => void;
  const signal = new Promise<void>((resolve) => (wake = resolve));
  const off = await store.onRunnable(() => wake());
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no runnable notification within ${ms} ms`)), ms);
  });
  const woken = Promise.race([signal, timeout]).finally(() => {
    clearTimeout(timer);
    off();
  });
  return { woken };
}

export function notifyContract(store: () => DaneStore): void {
  describe('wake-ups and health', () => {
    it('wakes subscribers on notifyRunnable and stops after unsubscribing', async () => {
      let calls = 0;
      const off = await store().onRunnable(() => calls++);
      const first = await nextWakeUp(store());
      await store().notifyRunnable();
      await first.woken;
      off();
      const before = calls;
      const again = await nextWakeUp(store());
      await store().notifyRunnable();
      await again.woken;
      expect(calls).toBe(before);
    });

    it('answers ping', async () => {
      await expect(store().ping()).resolves.toBeUndefined();
    });
  });
}
