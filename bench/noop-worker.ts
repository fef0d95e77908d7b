import { DaneWorker, TaskState, runWorkerCli } from '@dane/worker';

/**
 * The benchmark's no-op worker, written with our SDK. It prints one line per callback start and end
 * (`S|E <task id> <epoch ms>`) so the harness can measure assignment → callback and reply → stored.
 */
const clock = () => performance.timeOrigin + performance.now();

class NoopWorker extends DaneWorker {
  constructor() {
    // No-op tasks are the shortest there are: the short-task prefetch docs/workers.md recommends (Concurrency and prefetch; BENCH_PREFETCH).
    super({
      queue: process.env.BENCH_QUEUE ?? 'bench-noop',
      bindingKey: ['#.NOOP', '#.STEP_A', '#.STEP_B'],
      concurrency: Number(process.env.BENCH_CONCURRENCY ?? 4),
      prefetch: Number(process.env.BENCH_PREFETCH ?? 50),
    });
  }

  callback(task: { _id: string }) {
    if (process.env.BENCH_TRACE) process.stdout.write(`S ${task._id} ${clock().toFixed(3)}\n`);
    if (process.env.BENCH_TRACE) setImmediate(() => process.stdout.write(`E ${task._id} ${clock().toFixed(3)}\n`));
    return { state: TaskState.SUCCESS, message: 'Success' };
  }
}

void runWorkerCli(NoopWorker);
