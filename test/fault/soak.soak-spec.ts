import { readFileSync } from 'node:fs';
import { FaultWorld, FaultProcess, say, sleep } from './fault-kit';

/**
 * Soak (issue 5 item 4): a bounded load through no-op faultkit workers on a private broker and
 * PostgreSQL, sampling every process's RSS each second; fails when memory keeps growing. Not part of
 * `npm test` (its name does not match the default testRegex); `npm run soak` runs it.
 *
 *   SOAK_TASKS        tasks in total (default 100000)
 *   SOAK_OUTSTANDING  tasks submitted but not yet done, at most (default 4000)
 *   SOAK_WORKERS      faultkit worker processes (default 2), SOAK_CONCURRENCY each (default 8)
 *   SOAK_RESULTS=1    workers also save a result per task (exercises the results app)
 *
 * Growth test per process, over the samples taken while tasks flowed: fail when the median of the
 * last quarter exceeds 1.5 × the median of the second quarter, or when the least-squares slope over
 * the last two thirds, projected over that window, adds more than max(40 MB, 50 % of its median).
 */
const TASKS = Number(process.env.SOAK_TASKS ?? 100_000);
const OUTSTANDING = Number(process.env.SOAK_OUTSTANDING ?? 4000);
const CHUNK = 1000;

jest.setTimeout(Number(process.env.SOAK_TIMEOUT_MS ?? 3 * 3600_000));

interface Sample {
  t: number;
  done: number;
  rssMb: number;
}

function rssMb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export interface Verdict {
  name: string;
  samples: number;
  firstMb: number;
  q2MedianMb: number;
  q4MedianMb: number;
  maxMb: number;
  slopeMbPerMin: number;
  projectedMb: number;
  growing: boolean;
  why: string;
}

export function judge(name: string, series: Sample[]): Verdict {
  const ys = series.map((s) => s.rssMb);
  const n = ys.length;
  const q = (i: number) => ys.slice(Math.floor((n * i) / 4), Math.floor((n * (i + 1)) / 4));
  const q2 = median(q(1));
  const q4 = median(q(3));
  const tail = series.slice(Math.floor(n / 3));
  const perS = slope(
    tail.map((s) => s.t / 1000),
    tail.map((s) => s.rssMb),
  );
  const windowS = tail.length > 1 ? (tail[tail.length - 1].t - tail[0].t) / 1000 : 0;
  const projected = perS * windowS;
  const tailMedian = median(tail.map((s) => s.rssMb));
  const reasons: string[] = [];
  if (n >= 8 && q4 > 1.5 * q2) reasons.push(`last-quarter median ${q4.toFixed(1)} MB > 1.5 × second-quarter median ${q2.toFixed(1)} MB`);
  if (n >= 8 && projected > Math.max(40, 0.5 * tailMedian)) reasons.push(`slope ${(perS * 60).toFixed(2)} MB/min adds ${projected.toFixed(1)} MB over the last two thirds`);
  return {
    name,
    samples: n,
    firstMb: ys[0] ?? NaN,
    q2MedianMb: q2,
    q4MedianMb: q4,
    maxMb: Math.max(...ys),
    slopeMbPerMin: perS * 60,
    projectedMb: projected,
    growing: reasons.length > 0,
    why: reasons.join('; ') || 'flat',
  };
}

describe('soak: memory stays flat under load', () => {
  const world = new FaultWorld({
    leaseSeconds: 300,
    workers: Number(process.env.SOAK_WORKERS ?? 2),
    concurrency: Number(process.env.SOAK_CONCURRENCY ?? 8),
    sleepMs: '0',
    results: process.env.SOAK_RESULTS === '1',
    logLevel: 'WARNING',
    earlyAck: false,
  });

  beforeAll(async () => {
    await world.start();
  }, 180_000);

  afterAll(async () => {
    await world.stop();
  }, 120_000);

  it(`${TASKS} tasks through no-op workers`, async () => {
    const processes: FaultProcess[] = [world.server, ...world.workers];
    const series = new Map<string, Sample[]>(processes.map((p) => [p.name, []]));
    let done = 0;
    let sampling = true;
    const t0 = Date.now();
    const sampler = (async () => {
      while (sampling) {
        for (const p of processes) {
          const mb = rssMb(p.pid);
          if (mb !== undefined) series.get(p.name)!.push({ t: Date.now() - t0, done, rssMb: mb });
        }
        await sleep(1000);
      }
    })();
    const doneCount = async () => Number((await world.query<{ n: string }>(`SELECT count(*) AS n FROM tasks WHERE state = 200`))[0].n);
    let submitted = 0;
    let lastLog = 0;
    while (done < TASKS) {
      while (submitted < TASKS && submitted - done < OUTSTANDING) {
        const n = Math.min(CHUNK, TASKS - submitted);
        await world.submit(`soak-${submitted}`, n);
        submitted += n;
      }
      await sleep(250);
      done = await doneCount();
      if (Date.now() - lastLog > 10_000) {
        lastLog = Date.now();
        const rss = processes.map((p) => `${p.name} ${rssMb(p.pid)?.toFixed(0)} MB`).join(', ');
        say(`[soak] ${done}/${TASKS} done (${((done * 1000) / (Date.now() - t0)).toFixed(0)}/s); ${rss}`);
      }
      for (const p of processes) if (!p.alive) throw new Error(`${p.name} died during the soak:\n${p.logTail()}`);
    }
    sampling = false;
    await sampler;
    const seconds = (Date.now() - t0) / 1000;
    const states = await world.query<{ state: number; n: string }>(`SELECT state, count(*) AS n FROM tasks GROUP BY state`);

    const verdicts = processes.map((p) => judge(p.name, series.get(p.name)!));
    const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
    const lines = [
      `soak: ${TASKS} tasks in ${seconds.toFixed(0)} s (${(TASKS / seconds).toFixed(0)} tasks/s), ${world.workers.length} workers × ${world.options.concurrency}, results ${world.options.results ? 'on' : 'off'}; states ${JSON.stringify(Object.fromEntries(states.map((s) => [s.state, Number(s.n)])))}`,
      '| process | samples | first MB | Q2 median MB | Q4 median MB | max MB | slope MB/min (last 2/3) | verdict |',
      '|---|---|---|---|---|---|---|---|',
      ...verdicts.map((v) => `| ${v.name} | ${v.samples} | ${f(v.firstMb)} | ${f(v.q2MedianMb)} | ${f(v.q4MedianMb)} | ${f(v.maxMb)} | ${v.slopeMbPerMin.toFixed(2)} | ${v.why} |`),
    ];
    // The series itself, thinned to ~20 points per process, for the record.
    for (const p of processes) {
      const s = series.get(p.name)!;
      const step = Math.max(1, Math.floor(s.length / 20));
      lines.push(
        `${p.name} RSS MB by tasks done: ${s
          .filter((_, i) => i % step === 0)
          .map((x) => `${x.done}:${x.rssMb.toFixed(0)}`)
          .join(' ')}`,
      );
    }
    process.stderr.write(`\n${lines.join('\n')}\n\n`);
    expect(states.filter((s) => s.state !== 200)).toEqual([]);
    expect(verdicts.filter((v) => v.growing).map((v) => `${v.name}: ${v.why}`)).toEqual([]);
  });
});
