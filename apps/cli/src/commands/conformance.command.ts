import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TARGET_TYPES, amqpSettings, describeBroker, loadConfig, normaliseKey, type TargetType } from '@dane/protocol';
import type { Command } from '../command';
import { UsageError } from '../errors/usage-error';
import { ExitCode } from '../exit-codes';
import { intOption, stringList } from '../parse-argv';
import { CHECKS, QueueExistsError, WorkerStartError, runConformance } from '../conformance/checks';
import { formatTable, summarize } from '../conformance/report';

const NAME = 'conformance';

export const conformanceCommand: Command = {
  name: NAME,
  summary: 'check that a worker keeps the DANE protocol (replies, odd frames, redelivery, signals)',
  help: `Usage: dane conformance --key KEY [options] -- <command that starts the worker>

Starts the worker with a private exchange and response queue on the configured RabbitMQ (given to
it as DANE_RABBITMQ__EXCHANGE and DANE_RABBITMQ__RESPONSE_QUEUE, with the broker's HOST, PORT, USER,
PASSWORD and VHOST), publishes task frames exactly as the server does, and checks:
${CHECKS.map((c) => `  ${c.id.padEnd(17)} ${c.title}`).join('\n')}
Everything it declared is deleted afterwards. Prints PASS / FAIL / NOT CHECKED with the reason;
exit code 0 when nothing failed, 1 when a check failed, 2 for bad arguments or when the worker queue
already exists (it may belong to running workers: start the worker with a queue of its own).

Options (before the --):
  --key KEY              the task key the worker does (required)
  --type TYPE            target.type of the tasks: ${TARGET_TYPES.join(', ')} (default Video)
  --queue NAME           the queue the worker declares (default <key in lower case>_queue, as createWorker)
  --target-url URL       target.url of the tasks (default: a small text file the kit writes)
  --slow-target-url URL  a target the worker works on for a few seconds, for the signal checks
                         (default: the kit's own HTTP URL that answers after --hold seconds)
  --depends-on KEY       a dependency the worker declares (repeatable): expect 412 naming it
  --tasks N              tasks of the throughput check (default 200)
  --reply-timeout S      seconds to wait for a reply (default 30)
  --start-timeout S      seconds for the worker to consume its queue (default 60)
  --stop-timeout S       seconds a worker may take to exit after SIGTERM (default 30)
  --hold S               seconds the kit's slow target holds a request (default 3)
  --json                 the report as JSON on stdout`,
  options: {
    key: { type: 'string' },
    type: { type: 'string' },
    queue: { type: 'string' },
    'target-url': { type: 'string' },
    'slow-target-url': { type: 'string' },
    'depends-on': { type: 'string', multiple: true },
    tasks: { type: 'string' },
    'reply-timeout': { type: 'string' },
    'start-timeout': { type: 'string' },
    'stop-timeout': { type: 'string' },
    hold: { type: 'string' },
  },
  passThrough: true,
  async run(ctx) {
    const { io, options } = ctx;
    if (options.key === undefined) throw new UsageError('--key KEY is required: the task key the worker does', NAME);
    let key: string;
    try {
      key = normaliseKey(options.key);
    } catch (err) {
      throw new UsageError(`--key: ${(err as Error).message}`, NAME);
    }
    const type = String(options.type ?? 'Video');
    if (!(TARGET_TYPES as readonly string[]).includes(type)) throw new UsageError(`--type must be one of ${TARGET_TYPES.join(', ')} (got ${JSON.stringify(type)})`, NAME);
    const command = [...ctx.positionals, ...ctx.passThrough];
    if (!command.length) throw new UsageError('give the command that starts the worker after --, e.g. -- node dist/workers/filesize/main.js', NAME);
    const seconds = (name: string, def: number) => (intOption(options[name], name, { min: 1 }, NAME) ?? def) * 1000;
    const settings = amqpSettings(loadConfig({ cwd: io.cwd, env: io.env }).config);
    const dir = await mkdtemp(join(tmpdir(), 'dane-conformance-'));
    const targetFile = join(dir, 'conformance.txt');
    await writeFile(targetFile, 'DANE conformance: a small text file\nthree lines,\nten words in all\n');
    const queue = options.queue === undefined ? `${key.toLowerCase()}_queue` : String(options.queue);
    try {
      io.stderr.write(`dane conformance: ${describeBroker(settings)}, worker queue ${queue}\n`);
      let run;
      try {
        run = await runConformance({
          key,
          type: type as TargetType,
          queue,
          command,
          cwd: io.cwd,
          env: io.env,
          settings,
          targetUrl: options['target-url'] === undefined ? targetFile : String(options['target-url']),
          slowTargetUrl: options['slow-target-url'] === undefined ? undefined : String(options['slow-target-url']),
          dependsOn: stringList(options['depends-on']).map((k) => k.toUpperCase()),
          tasks: intOption(options.tasks, 'tasks', { min: 1, max: 100_000 }, NAME) ?? 200,
          replyTimeoutMs: seconds('reply-timeout', 30),
          startTimeoutMs: seconds('start-timeout', 60),
          stopTimeoutMs: seconds('stop-timeout', 30),
          holdMs: seconds('hold', 3),
          progress: (line) => io.stderr.write(`  ${line.split('\n')[0]}\n`),
        });
      } catch (err) {
        if (err instanceof QueueExistsError) throw new UsageError(err.message, NAME);
        if (err instanceof WorkerStartError) {
          io.stderr.write(`dane conformance: ${err.message}\n`);
          return ExitCode.FAILURE;
        }
        throw err;
      }
      const report = summarize({ worker: { command, key, type, queue }, broker: { exchange: run.exchange, response_queue: run.responseQueue }, checks: run.checks });
      io.stdout.write(ctx.json ? JSON.stringify(report, null, 2) + '\n' : formatTable(report));
      return report.failed ? ExitCode.FAILURE : ExitCode.OK;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};
