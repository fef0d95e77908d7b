import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as amqp from 'amqplib';
import * as ts from 'typescript';
import { Build, REPO_ROOT, buildPrivateDist } from '../../../test/support/dane-processes';
import { dane } from '../../../test/support/run-dane';

const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

interface Report {
  broker: { exchange: string; response_queue: string };
  checks: Array<{ id: string; status: string; detail: string; meaning: string }>;
  failed: number;
}

/**
 * `dane conformance` against real workers on the machine's RabbitMQ: the example workers as an operator
 * runs them (`node <build>/workers/<name>/main.js`) pass, and hand-rolled workers with one deliberate
 * fault each (fixtures/broken-worker.ts) fail on the check for that fault, with exit code 1.
 */
describe('dane conformance (real workers, real RabbitMQ)', () => {
  let build: Build;
  let home: string;
  let brokenWorker: string;

  beforeAll(async () => {
    [build, home] = await Promise.all([buildPrivateDist('conformance'), mkdtemp(join(tmpdir(), 'dane-conformance-home-'))]);
    const source = await readFile(join(__dirname, 'fixtures', 'broken-worker.ts'), 'utf8');
    brokenWorker = join(build.dir, 'broken-worker.js');
    await writeFile(
      brokenWorker,
      ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } }).outputText,
    );
  }, 300_000);

  afterAll(async () => {
    await build?.remove();
    if (home) await rm(home, { recursive: true, force: true });
  });

  /** The environment of the dane process (and so of the worker): the broker, a private DANE_HOME, node's module path. */
  function env(extra: Record<string, string> = {}): Record<string, string> {
    return { PATH: process.env.PATH ?? '', DANE_HOME: home, NODE_PATH: join(REPO_ROOT, 'node_modules'), DANE_RABBITMQ__HOST: '127.0.0.1', ...extra };
  }

  async function conformance(args: string[], command: string[], extraEnv: Record<string, string>): Promise<{ code: number; report: Report; stderr: string }> {
    const res = await dane(['conformance', '--json', ...args, '--', ...command], { env: env(extraEnv) });
    let report: Report;
    try {
      report = JSON.parse(res.stdout) as Report;
    } catch {
      throw new Error(`no JSON report (exit ${res.code}):\n${res.stdout}\n${res.stderr}`);
    }
    return { code: res.code, report, stderr: res.stderr };
  }

  const statusOf = (report: Report) => Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
  const queueName = (label: string) => `conformance-${label}-${randomBytes(4).toString('hex')}`;

  async function existing(names: string[]): Promise<string[]> {
    const conn = await amqp.connect(AMQP_URL);
    const found: string[] = [];
    try {
      for (const q of names) {
        const ch = await conn.createChannel();
        ch.on('error', () => undefined);
        if (
          await ch.checkQueue(q).then(
            () => true,
            () => false,
          )
        )
          found.push(q);
        await ch.close().catch(() => undefined);
      }
    } finally {
      await conn.close();
    }
    return found;
  }

  it('the function/class-form example (filesize, a local file): every check passes or is not checked with a reason, exit 0, nothing left on the broker', async () => {
    const queue = queueName('filesize');
    const { code, report, stderr } = await conformance(['--key', 'FILESIZE', '--queue', queue], [process.execPath, join(build.dir, 'workers/filesize/main.js')], {
      DANE_FILESIZE_WORKER__QUEUE: queue,
    });
    expect({ code, statuses: statusOf(report) }).toEqual({
      code: 0,
      statuses: {
        reply: 'PASS',
        dependencies: 'NOT CHECKED',
        'extra-keys': 'PASS',
        'missing-optional': 'PASS',
        'non-json': 'PASS',
        'no-reply-to': 'PASS',
        throughput: 'PASS',
        sigkill: 'PASS',
        redelivered: 'PASS',
        'consumer-timeout': 'NOT CHECKED',
        sigterm: 'PASS',
      },
    });
    expect(report.checks.find((c) => c.id === 'throughput')?.detail).toMatch(/^200 tasks in .* tasks\/s, p50 latency \d+ ms \(states 200\)$/);
    expect(report.checks.find((c) => c.id === 'sigterm')?.detail).toContain('finished and answered (200');
    expect(stderr).toContain(`worker queue ${queue}`);
    expect(await existing([queue, report.broker.response_queue, report.broker.response_queue.replace(/-response-queue$/, '-results')])).toEqual([]);
  }, 180_000);

  it('the Nest-microservice example (nest-wordcount): passes; the signal checks in the middle of a task are not checked (it reads local files at once)', async () => {
    const queue = queueName('wordcount');
    const { code, report } = await conformance(['--key', 'WORDCOUNT', '--type', 'Text', '--queue', queue], [process.execPath, join(build.dir, 'workers/nest-wordcount/main.js')], {
      DANE_NEST_WORDCOUNT_WORKER__QUEUE: queue,
    });
    const statuses = statusOf(report);
    expect(code).toBe(0);
    expect(report.failed).toBe(0);
    for (const id of ['reply', 'extra-keys', 'missing-optional', 'non-json', 'no-reply-to', 'throughput', 'redelivered']) expect([id, statuses[id]]).toEqual([id, 'PASS']);
    expect(report.checks.find((c) => c.id === 'sigkill')).toMatchObject({ status: 'NOT CHECKED', detail: expect.stringContaining('answered a task on http://127.0.0.1') });
    expect(report.checks.find((c) => c.id === 'sigterm')).toMatchObject({ status: 'NOT CHECKED', detail: expect.stringContaining('exits on SIGTERM when idle') });
  }, 180_000);

  const broken = (mode: string, queue: string) => ({ BROKEN_MODE: mode, BROKEN_QUEUE: queue, BROKEN_KEY: 'BROKEN' });

  it('a worker that crashes on unknown frame keys: FAIL on extra-keys, exit 1', async () => {
    const queue = queueName('crash');
    const { code, report } = await conformance(['--key', 'BROKEN', '--queue', queue], [process.execPath, brokenWorker], broken('crash-on-unknown-keys', queue));
    const check = report.checks.find((c) => c.id === 'extra-keys')!;
    expect({ code, status: check.status }).toEqual({ code: 1, status: 'FAIL' });
    expect(check.detail).toContain('the worker crashed (exited with code 3');
    expect(check.meaning).toContain('crashes on them');
    // It was restarted and the other checks ran.
    expect(statusOf(report)).toMatchObject({ reply: 'PASS', 'missing-optional': 'PASS', sigkill: 'PASS', sigterm: 'PASS' });
  }, 180_000);

  it('a worker that acknowledges before replying, without heartbeats: FAIL on sigkill, exit 1', async () => {
    const queue = queueName('earlyack');
    const { code, report } = await conformance(['--key', 'BROKEN', '--queue', queue], [process.execPath, brokenWorker], broken('early-ack', queue));
    const check = report.checks.find((c) => c.id === 'sigkill')!;
    expect({ code, status: check.status }).toEqual({ code: 1, status: 'FAIL' });
    expect(check.detail).toContain('acknowledged before it was done');
    expect(statusOf(report)).toMatchObject({ reply: 'PASS', 'extra-keys': 'PASS', redelivered: 'PASS' });
  }, 180_000);

  it('a worker that ignores SIGTERM: FAIL on sigterm, exit 1', async () => {
    const queue = queueName('noterm');
    const { code, report } = await conformance(['--key', 'BROKEN', '--queue', queue, '--stop-timeout', '4'], [process.execPath, brokenWorker], broken('ignore-sigterm', queue));
    const check = report.checks.find((c) => c.id === 'sigterm')!;
    expect({ code, status: check.status, failed: report.failed }).toEqual({ code: 1, status: 'FAIL', failed: 1 });
    expect(check.detail).toContain('still running 4 s after SIGTERM in the middle of a task');
  }, 180_000);

  it('refuses (exit 2) to run on a worker queue that already exists, and touches nothing', async () => {
    const queue = queueName('exists');
    const conn = await amqp.connect(AMQP_URL);
    const ch = await conn.createChannel();
    await ch.assertQueue(queue, { durable: false, autoDelete: true });
    try {
      const res = await dane(['conformance', '--key', 'BROKEN', '--queue', queue, '--', process.execPath, brokenWorker], { env: env(broken('none', queue)) });
      expect(res.code).toBe(2);
      expect(res.stderr).toContain(`queue ${queue} already exists on the broker`);
      expect(await existing([queue])).toEqual([queue]);
    } finally {
      // autoDelete removes a queue only after a consumer left it; this one never had one.
      await ch.deleteQueue(queue).catch(() => undefined);
      await conn.close();
    }
  }, 60_000);
});
