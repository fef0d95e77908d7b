import { budgetPer1000, startCpuBudget } from './cpu-budget';
import { formatTable, percentiles, quarterMedians } from './stats';

describe('bench statistics', () => {
  it('takes nearest-rank percentiles and NaN for an empty sample', () => {
    expect(percentiles([5, 1, 4, 2, 3])).toEqual({ p50: 3, p95: 5, p99: 5 });
    expect(percentiles([])).toEqual({ p50: NaN, p95: NaN, p99: NaN });
  });

  it('gives the median of each quarter, so a growing series shows it and a short one gives nothing', () => {
    expect(quarterMedians([1, 2, 3])).toEqual([]);
    expect(quarterMedians([10, 12, 20, 22, 30, 32, 40, 42])).toEqual([11, 21, 31, 41]);
    expect(quarterMedians([5, 5, 5, 5, 5])).toEqual([5, 5, 5, 5]);
  });

  it('prints a markdown table with numbers rounded by size and — for missing ones', () => {
    const table = formatTable(
      ['measure', 'a'],
      [
        ['big', 1234.5],
        ['mid', 12.345],
        ['small', 0.1234],
        ['none', NaN],
      ],
    );
    expect(table.split('\n')).toEqual(['| measure | a    |', '|---------|------|', '| big     | 1235 |', '| mid     | 12.3 |', '| small   | 0.12 |', '| none    | —    |']);
  });
});

describe('CPU budget (Linux /proc)', () => {
  it('accounts the CPU a busy named process spent, and the machine at least that', async () => {
    const budget = startCpuBudget({ self: process.pid });
    // Busy until this process has itself used 300 ms of CPU (wall time would depend on the machine's load).
    const cpuMs = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };
    const until = cpuMs() + 300;
    let x = 0;
    while (cpuMs() < until) for (let i = 0; i < 1000; i++) x += Math.sqrt(x + 1);
    await new Promise((r) => setTimeout(r, 20));
    const b = budget.stop();
    expect(b).not.toBeNull();
    // This process used 300 ms of CPU: named as `self` and counted as `bench` too (it is this process).
    expect(b!.groups.self).toBeGreaterThan(0.15);
    expect(b!.groups.bench).toBeGreaterThan(0.15);
    expect(b!.machineBusySeconds).toBeGreaterThan(0.15);
    expect(b!.machineBusyFraction).toBeGreaterThan(0);
    expect(b!.machineBusyFraction).toBeLessThanOrEqual(1.05);
    expect(Object.keys(b!.groups).sort()).toEqual(['bench', 'other', 'postgresql', 'rabbitmq', 'self']);
    expect(x).toBeGreaterThan(0);
  });

  it('scales a budget to 1000 tasks', () => {
    const per = budgetPer1000({ seconds: 2, machineBusySeconds: 3, machineBusyFraction: 0.75, groups: { server: 1, rabbitmq: 0.5 } }, 500);
    expect(per).toEqual({ machine: 6, server: 2, rabbitmq: 1 });
    expect(budgetPer1000(null, 500)).toBeNull();
  });
});
