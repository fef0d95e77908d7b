import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { type DaneDocument, DaneWorker, TaskState, runWorkerCli, type TaskContext, type WorkerOutcome, type WorkerTask } from '@dane/worker';

/**
 * The fault-injection and soak worker (test/fault/). Not an example to copy: it exists so the suite
 * can tell a task that really ran twice from a result stored twice.
 *
 * Each callback gets a fresh run id. Before saving its result it appends `RUN <task> <attempt> <run> <pid>`
 * to FAULTKIT_TRACE_FILE with a synchronous write (it survives a SIGKILL that comes right after), then
 * saves `{run, attempt, pid}` as the result and replies 200.
 *
 * Environment (besides the DANE_* config):
 *   FAULTKIT_QUEUE        queue name (default faultkit)
 *   FAULTKIT_KEYS         task keys to bind, comma-separated (default FAULTKIT)
 *   FAULTKIT_CONCURRENCY  callbacks at once (default 4)
 *   FAULTKIT_SLEEP_MS     "min-max" or "n": how long a callback works (default 0 = no-op)
 *   FAULTKIT_RESULTS      0 = reply without saving a result (soak: a no-op worker)
 *   FAULTKIT_HEARTBEAT_MS heartbeat period (default 500, the suite runs with a 2–3 s lease)
 *   FAULTKIT_TRACE_FILE   where RUN lines go (none when unset)
 *   FAULTKIT_ACK_DEADLINE_MS  the SDK's ackDeadlineMs (0 = ack on acceptance: only the lease can recover a killed task)
 */
const env = process.env;
const keys = (env.FAULTKIT_KEYS ?? 'FAULTKIT')
  .split(',')
  .map((k) => k.trim())
  .filter(Boolean);
const [sleepMin, sleepMax] = (env.FAULTKIT_SLEEP_MS ?? '0').split('-').map(Number);
const saveResults = env.FAULTKIT_RESULTS !== '0';
const traceFile = env.FAULTKIT_TRACE_FILE;

class FaultkitWorker extends DaneWorker {
  constructor() {
    super({
      queue: env.FAULTKIT_QUEUE ?? 'faultkit',
      bindingKey: keys.map((k) => `#.${k}`),
      concurrency: Number(env.FAULTKIT_CONCURRENCY ?? 4),
      heartbeatIntervalMs: Number(env.FAULTKIT_HEARTBEAT_MS ?? 500),
      shutdownTimeoutMs: 2_000,
      ackDeadlineMs: env.FAULTKIT_ACK_DEADLINE_MS === undefined ? undefined : Number(env.FAULTKIT_ACK_DEADLINE_MS),
      generator: { id: 'faultkit', type: 'Software', name: 'faultkit', homepage: 'https://example.org/faultkit' },
    });
  }

  async callback(task: WorkerTask, _document: DaneDocument, ctx: TaskContext): Promise<WorkerOutcome> {
    const max = Number.isFinite(sleepMax) ? sleepMax : sleepMin;
    const ms = sleepMin + Math.random() * Math.max(0, max - sleepMin);
    if (ms > 0) await sleep(ms);
    if (saveResults) {
      const run = randomUUID();
      if (traceFile) appendFileSync(traceFile, `RUN ${task._id} ${ctx.attempt ?? '-'} ${run} ${process.pid}\n`);
      await ctx.saveResult({ run, attempt: ctx.attempt ?? null, pid: process.pid });
    }
    return { state: TaskState.SUCCESS, message: 'Success' };
  }
}

void runWorkerCli(FaultkitWorker);
