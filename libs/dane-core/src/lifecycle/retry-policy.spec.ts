import { builtInDefaults } from '@dane/protocol';
import { retryLimit, retryPolicyFromConfig } from './retry-policy';

describe('retry policy', () => {
  it('reads SCHEDULER and prefers the per-key limit, whatever the key case in config', () => {
    const scheduler = { ...builtInDefaults('/tmp/').SCHEDULER, MAX_RETRIES: 5, MAX_RETRIES_PER_KEY: { asr: 10 } };
    const policy = retryPolicyFromConfig(scheduler);
    expect(retryLimit(policy, 'ASR')).toBe(10);
    expect(retryLimit(policy, 'DOWNLOAD')).toBe(5);
    expect(policy).toMatchObject({ baseMs: 2000, maxMs: 600000 });
  });
});
