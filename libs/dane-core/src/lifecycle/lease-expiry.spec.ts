import { TaskState } from '@dane/protocol';
import { leaseExpiryBudget, leaseExpiryLimit, leaseExpiryOutcome } from './lease-expiry';

describe('lease expiry budget', () => {
  const budget = leaseExpiryBudget({ maxRetries: 2, maxRetriesPerKey: { ASR: 0 } });

  it('sends a task whose worker was lost back to runnable while the key has retries left, counting one', () => {
    expect(leaseExpiryOutcome('NER', 1, 0, true, budget)).toEqual({
      state: TaskState.CREATED,
      msg: 'Worker lost (lease expired on attempt 1); dispatching again — retry 1 of 2',
      retries: 1,
    });
    expect(leaseExpiryOutcome('NER', 2, 1, true, budget)).toMatchObject({ state: TaskState.CREATED, retries: 2 });
  });

  it('parks it in 500 once they are spent, naming the attempt that was lost', () => {
    expect(leaseExpiryOutcome('NER', 3, 2, true, budget)).toEqual({ state: TaskState.ERROR, msg: 'Worker lost (lease expired on attempt 3) — retries spent (2 of 2)', retries: 2 });
    expect(leaseExpiryOutcome('ASR', 1, 0, true, budget)).toMatchObject({ state: TaskState.ERROR, retries: 0 });
  });

  it('counts nothing when no heartbeat renewed the lease (still queued), or without a budget', () => {
    expect(leaseExpiryOutcome('ASR', 7, 0, false, budget)).toEqual({ state: TaskState.CREATED, msg: 'Lease expired (attempt 7); dispatching again', retries: 0 });
    expect(leaseExpiryOutcome('NER', 40, 39, true, undefined)).toMatchObject({ state: TaskState.CREATED, retries: 39 });
  });

  it('reads per-key limits whatever the case of the key', () => {
    expect(leaseExpiryLimit(budget, 'asr')).toBe(0);
    expect(leaseExpiryLimit(budget, 'OCR')).toBe(2);
  });
});
