import { randomBytes } from 'node:crypto';
import {
  DEPENDENCIES_DONE_HEADER,
  createDocument,
  createTask,
  encodeTaskFrame,
  isKnownState,
  pythonJsonDumps,
  stateInfo,
  TaskState,
  type AmqpSettings,
  type DaneDocument,
  type DaneTask,
  type EncodedTaskFrame,
  type TargetType,
} from '@dane/protocol';
import { ConformanceBroker, type SeenReply } from './broker';
import { SlowTarget } from './slow-target';
import { WorkerProcess } from './worker-process';

type CheckStatus = 'PASS' | 'FAIL' | 'NOT CHECKED';

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  /** What was seen (PASS, FAIL) or why it was not checked. */
  detail: string;
  /** What a failure of this check means in production. */
  meaning: string;
}

export interface ConformanceOptions {
  key: string;
  type: TargetType;
  queue: string;
  command: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  settings: AmqpSettings;
  targetUrl: string;
  slowTargetUrl?: string;
  dependsOn: string[];
  tasks: number;
  replyTimeoutMs: number;
  startTimeoutMs: number;
  stopTimeoutMs: number;
  holdMs: number;
  progress: (line: string) => void;
}

/** The checks in the order they run, with what a failure means in production. */
export const CHECKS: ReadonlyArray<Pick<CheckResult, 'id' | 'title' | 'meaning'>> = [
  {
    id: 'reply',
    title: 'a well-formed task gets exactly one reply',
    meaning:
      'the server records the first valid reply of an attempt; without one the task stays in 102 until its lease runs out and is dispatched again, a second outcome is rejected and counted, a state outside the table is never stored.',
  },
  {
    id: 'dependencies',
    title: 'unfinished dependencies are answered 412 naming them',
    meaning:
      'a worker that runs without its dependencies works on input that does not exist yet; one that answers 412 without naming them leaves the server nothing to assign or wait for.',
  },
  {
    id: 'extra-keys',
    title: 'a frame with extra keys is handled',
    meaning:
      'a server reading tasks from Elasticsearch, or a newer server, sends keys the worker does not know; a worker that crashes on them stops serving the queue and the broker hands the same frame to the next worker, which crashes too.',
  },
  {
    id: 'missing-optional',
    title: 'a frame without the optional fields is handled',
    meaning: 'a Python DANE server or an older one sends no attempt header, timestamps, priority or args; a worker that needs them fails every task of such a server.',
  },
  {
    id: 'non-json',
    title: 'a non-JSON frame does not crash the worker',
    meaning: 'one malformed message (a test publish, another tool) takes the worker down, and every worker of the key after it: the broker redelivers it to each.',
  },
  {
    id: 'no-reply-to',
    title: 'a frame without reply_to does not crash the worker',
    meaning: 'the Python worker crashed here; a frame that cannot be answered must be dropped with a log line, not kill the consumer.',
  },
  {
    id: 'throughput',
    title: 'throughput and p50 latency of small tasks (information)',
    meaning: 'tasks that are published but never answered, or answered twice, under load.',
  },
  {
    id: 'sigkill',
    title: 'SIGKILL during a task: the message goes back to the queue',
    meaning:
      'a worker that acknowledges a task before it is done, without heartbeats, loses the task when it crashes or is OOM-killed: the server only notices after the queue lease (6 h by default).',
  },
  {
    id: 'redelivered',
    title: 'a redelivered message is handled once',
    meaning: 'after a crash or a broker restart the broker redelivers unacknowledged tasks; a worker that ignores or double-answers them loses or repeats work.',
  },
  {
    id: 'consumer-timeout',
    title: 'a task longer than the consumer timeout completes',
    meaning:
      'RabbitMQ closes the channel of a consumer that holds a delivery past its consumer timeout (30 min by default): the task is redelivered and the worker loses its channel, for ever on long tasks.',
  },
  {
    id: 'sigterm',
    title: 'SIGTERM during a task: finished or handed back, and the process exits',
    meaning:
      'deployments and scale-downs send SIGTERM, then SIGKILL after a grace period: a worker that ignores it is killed in the middle of its tasks, one that exits without finishing or handing back its running task loses it.',
  },
];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** What the fan of frames sends; `body` overrides the encoded body (the malformed frames). */
interface Frame extends EncodedTaskFrame {
  taskId: string;
}

class Run {
  readonly results: CheckResult[] = [];
  private broker!: ConformanceBroker;
  private worker!: WorkerProcess;
  private slow!: SlowTarget;
  private seq = 0;
  private readonly runId = randomBytes(3).toString('hex');
  /** Set when the worker cannot be (re)started: every later check is not checked. */
  private brokenReason?: string;
  private slowFailure?: string;
  private baselineState?: number;

  constructor(private readonly o: ConformanceOptions) {}

  private record(id: string, status: CheckStatus, detail: string): void {
    const check = CHECKS.find((c) => c.id === id)!;
    this.results.push({ ...check, status, detail });
    this.o.progress(`${status.padEnd(11)} ${id}: ${detail}`);
  }

  /** A document and task as the server builds them, dispatched at attempt 1. */
  private task(targetUrl = this.o.targetUrl, label = 'task'): { task: DaneTask; document: DaneDocument } {
    const document = createDocument({
      target: { id: `conformance-${this.runId}-${label}-${++this.seq}`, url: targetUrl, type: this.o.type },
      creator: { id: 'dane-conformance', type: 'Software' },
    });
    const task = { ...createTask(document._id, { key: this.o.key, priority: 1, args: {}, depends_on: this.o.dependsOn }), attempt: 1 };
    return { task, document };
  }

  private frame(targetUrl?: string, label?: string): Frame {
    const { task, document } = this.task(targetUrl, label);
    return { ...encodeTaskFrame(task, document, this.broker.names.responseQueue), taskId: task._id };
  }

  async run(): Promise<ConformanceRun> {
    const o = this.o;
    this.broker = await ConformanceBroker.open(o.settings);
    this.slow = new SlowTarget(o.holdMs);
    try {
      if (await this.broker.queueState(o.queue)) {
        throw new QueueExistsError(o.queue);
      }
      await this.slow.start();
      const n = this.broker.names;
      o.progress(`private exchange ${n.exchange}, response queue ${n.responseQueue}, worker queue ${o.queue}`);
      this.worker = new WorkerProcess(o.command, o.cwd, {
        ...o.env,
        DANE_RABBITMQ__HOST: o.settings.host,
        DANE_RABBITMQ__PORT: String(o.settings.port),
        DANE_RABBITMQ__USER: o.settings.user,
        DANE_RABBITMQ__PASSWORD: o.settings.password,
        DANE_RABBITMQ__VHOST: o.settings.vhost,
        DANE_RABBITMQ__EXCHANGE: n.exchange,
        DANE_RABBITMQ__RESPONSE_QUEUE: n.responseQueue,
      });
      await this.startWorker();
      if (this.brokenReason) throw new WorkerStartError(this.brokenReason);
      await this.checkReply();
      await this.guarded('dependencies', () => this.checkDependencies());
      await this.guarded('extra-keys', () => this.checkExtraKeys());
      await this.guarded('missing-optional', () => this.checkMissingOptional());
      await this.guarded('non-json', () => this.checkNonJson());
      await this.guarded('no-reply-to', () => this.checkNoReplyTo());
      await this.guarded('throughput', () => this.checkThroughput());
      await this.guarded('sigkill', () => this.checkSigkill());
      await this.guarded('redelivered', () => this.checkRedelivered());
      this.record(
        'consumer-timeout',
        'NOT CHECKED',
        "needs a broker whose consumer timeout is shorter than one of this worker's tasks: RabbitMQ sets it for the whole node (consumer_timeout; a per-queue value needs RabbitMQ 3.12 and the worker's own queue declaration), and the configured broker is shared. Our SDK acknowledges a task still running after ackDeadlineMs (60 s) after a heartbeat; a worker of your own must do the same for tasks of more than 30 min" +
          this.heartbeatNote(),
      );
      await this.guarded('sigterm', () => this.checkSigterm());
    } finally {
      if (this.worker?.running) await this.worker.kill();
      await this.slow.close().catch(() => undefined);
      await this.broker.cleanup(o.queue);
    }
    return { checks: this.results, exchange: this.broker.names.exchange, responseQueue: this.broker.names.responseQueue };
  }

  private heartbeatNote(): string {
    const n = this.broker.replies.filter((r) => r.kind === 'heartbeat').length;
    return n ? ` (this worker sent ${n} heartbeat${n === 1 ? '' : 's'} during the run).` : ' (this worker sent no heartbeat during the run).';
  }

  private async guarded(id: string, check: () => Promise<void>): Promise<void> {
    if (this.brokenReason) {
      this.record(id, 'NOT CHECKED', this.brokenReason);
      return;
    }
    await check();
  }

  /** Starts the worker and waits until it consumes its queue; sets brokenReason when it does not. */
  private async startWorker(): Promise<void> {
    const o = this.o;
    this.worker.start();
    const until = Date.now() + o.startTimeoutMs;
    while (Date.now() < until) {
      if (!this.worker.running) {
        this.brokenReason = `the worker ${this.worker.describeExit()} before it consumed queue ${o.queue}:\n${this.worker.tail()}`;
        return;
      }
      const q = await this.broker.queueState(o.queue);
      if (q) this.broker.claimQueue();
      if (q && q.consumers > 0) return;
      await sleep(200);
    }
    this.brokenReason =
      `no consumer on queue ${o.queue} ${o.startTimeoutMs / 1000} s after the start: ` +
      `does the worker declare another queue (give it with --queue) or read another broker?\n${this.worker.tail()}`;
  }

  /** The worker process is running and consuming its queue. */
  private async alive(): Promise<boolean> {
    if (!this.worker.running) return false;
    const q = await this.broker.queueState(this.o.queue);
    return (q?.consumers ?? 0) > 0;
  }

  /** After a crash: drop what is queued (the frame that crashed it would crash it again), start it again. */
  private async recover(): Promise<void> {
    if (this.worker.running) await this.worker.kill();
    await sleep(300);
    await this.broker.purge(this.o.queue);
    await this.startWorker();
    if (this.brokenReason) this.brokenReason = `the worker could not be restarted after a crash: ${this.brokenReason}`;
  }

  private async waitOutcome(taskId: string, timeoutMs = this.o.replyTimeoutMs): Promise<SeenReply | undefined> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const r = this.broker.repliesFor(taskId, 'any')[0];
      if (r || Date.now() > until || !this.worker.running) return r;
      await sleep(20);
    }
  }

  private describeReply(r: SeenReply): string {
    if (r.kind === 'invalid') return `an invalid reply (${r.problem})`;
    return `${r.state ?? 'no state'} ${JSON.stringify(r.message)}`;
  }

  /** Exactly one valid outcome for the frame: the problems found, or nothing. */
  private async oneValidOutcome(frame: Frame): Promise<{ reply?: SeenReply; problems: string[]; ms?: number }> {
    const t0 = Date.now();
    await this.broker.publish(frame);
    const first = await this.waitOutcome(frame.taskId);
    const ms = Date.now() - t0;
    if (this.broker.wasReturned(frame.taskId)) {
      return {
        problems: [`the frame was unroutable: no queue is bound to ${frame.routingKey} on the private exchange (does the worker read RABBITMQ.EXCHANGE and bind #.${this.o.key}?)`],
      };
    }
    if (!first) {
      const why = this.worker.running ? `within ${this.o.replyTimeoutMs / 1000} s` : `(the worker ${this.worker.describeExit()})`;
      return { problems: [`no reply ${why}`] };
    }
    await sleep(1000); // a second outcome would arrive by now
    const all = this.broker.repliesFor(frame.taskId, 'any');
    const problems: string[] = [];
    if (all.length > 1) problems.push(`${all.length} replies: ${all.map((r) => this.describeReply(r)).join(', ')}`);
    if (first.kind === 'invalid') problems.push(this.describeReply(first));
    else if (first.state === undefined || !isKnownState(first.state) || first.state === TaskState.ALREADY_EXISTS)
      problems.push(`state ${JSON.stringify(first.state)} is not a DANE task state`);
    else if (typeof first.message !== 'string') problems.push(`message ${JSON.stringify(first.message)} is not a string`);
    return { reply: first, problems, ms };
  }

  private async checkReply(): Promise<void> {
    const frame = this.frame();
    const { reply, problems, ms } = await this.oneValidOutcome(frame);
    if (problems.length || !reply) {
      this.record('reply', 'FAIL', problems.join('; ') + (this.worker.running ? '' : `\n${this.worker.tail()}`));
      if (!(await this.alive())) await this.recover();
      return;
    }
    this.baselineState = reply.state;
    const name = stateInfo(reply.state!)?.name;
    this.record('reply', 'PASS', `one reply ${this.describeReply(reply)} (${name}) correlated to the task id, in ${ms} ms`);
  }

  private async checkDependencies(): Promise<void> {
    const deps = this.o.dependsOn;
    if (!deps.length && this.baselineState !== TaskState.UNFINISHED_DEPENDENCY) {
      this.record(
        'dependencies',
        'NOT CHECKED',
        'the worker answered a task without x-dane-dependencies-done with something else than 412: it declares no dependencies (give --depends-on KEY if it has some)',
      );
      return;
    }
    // As the server sends a task whose dependencies it does not know about: no x-dane-dependencies-done.
    const frame = this.frame(undefined, 'deps');
    delete frame.properties.headers[DEPENDENCIES_DONE_HEADER];
    const { reply, problems } = await this.oneValidOutcome(frame);
    if (!reply || problems.length) {
      this.record('dependencies', 'FAIL', problems.join('; '));
      if (!(await this.alive())) await this.recover();
      return;
    }
    if (reply.state !== TaskState.UNFINISHED_DEPENDENCY) {
      this.record('dependencies', 'FAIL', `a task whose dependencies are not done was answered ${this.describeReply(reply)}, not 412`);
      return;
    }
    const named = this.dependenciesOf(reply);
    const missing = deps.filter((d) => !named.includes(d));
    if (missing.length) this.record('dependencies', 'FAIL', `412 without naming ${missing.join(', ')} (named: ${JSON.stringify(named)})`);
    else this.record('dependencies', 'PASS', `412 ${JSON.stringify(reply.message)} naming ${JSON.stringify(named)}`);
  }

  /** The keys a 412 names: strings, or task objects with a key. */
  private dependenciesOf(reply: SeenReply): string[] {
    const list: unknown[] = Array.isArray(reply.dependencies) ? reply.dependencies : [];
    return list.map((d) => (typeof d === 'string' ? d : String((d as Record<string, unknown>)?.key ?? ''))).map((k) => k.toUpperCase());
  }

  /** Sends frames that must not crash the worker; PASS when each got one valid reply: the baseline's state or a 4xx. */
  private async robustness(id: string, frames: Array<{ what: string; frame: Frame; mustReply: boolean }>): Promise<void> {
    const seen: string[] = [];
    const failures: string[] = [];
    for (const { what, frame, mustReply } of frames) {
      await this.broker.publish(frame);
      const reply = await this.waitOutcome(frame.taskId, mustReply ? this.o.replyTimeoutMs : 2000);
      await sleep(500);
      if (!(await this.alive())) {
        failures.push(`${what}: the worker crashed (${this.worker.describeExit()}; no consumer on ${this.o.queue})\n${this.worker.tail(6)}`);
        await this.recover();
        if (this.brokenReason) break;
        continue;
      }
      const all = this.broker.repliesFor(frame.taskId, 'any');
      if (!mustReply) {
        seen.push(`${what}: ${reply ? this.describeReply(reply) : 'no reply'}`);
        continue;
      }
      if (!reply) failures.push(`${what}: no reply within ${this.o.replyTimeoutMs / 1000} s`);
      else if (all.length > 1) failures.push(`${what}: ${all.length} replies`);
      else if (reply.kind === 'invalid' || reply.state === undefined || !isKnownState(reply.state)) failures.push(`${what}: ${this.describeReply(reply)}`);
      else if (reply.state !== this.baselineState && !(reply.state >= 400 && reply.state < 500))
        failures.push(`${what}: refused with ${this.describeReply(reply)}, not a 4xx (the well-formed task got ${this.baselineState})`);
      else seen.push(`${what}: ${this.describeReply(reply)}`);
    }
    if (!failures.length && !this.brokenReason) {
      // Still serving: a well-formed task after them is answered.
      const probe = this.frame(undefined, 'probe');
      const { problems } = await this.oneValidOutcome(probe);
      if (problems.length) failures.push(`a well-formed task afterwards: ${problems.join('; ')}`);
    }
    if (failures.length) this.record(id, 'FAIL', failures.join('; '));
    else this.record(id, 'PASS', seen.join('; '));
  }

  private async checkExtraKeys(): Promise<void> {
    const extra = this.frame(undefined, 'extra');
    const { task, document } = this.parts(extra);
    // What an Elasticsearch _source carries besides the task: role, dane_node; extra target/creator keys are allowed.
    const body = {
      task: { ...task, role: { name: 'task', parent: document._id }, dane_node: { attempt: 1, retries: 0 } },
      document: { ...document, target: { ...(document.target as object), title: 'extra target key' }, creator: { ...(document.creator as object), name: 'extra creator key' } },
      role: 'task',
      dane_node: { attempt: 1 },
    };
    const docExtra = this.frame(undefined, 'extra-doc');
    const parts = this.parts(docExtra);
    const docBody = { task: parts.task, document: { ...parts.document, role: 'document' } };
    await this.robustness('extra-keys', [
      { what: 'extra keys in the frame, the task, target and creator', frame: { ...extra, body: Buffer.from(pythonJsonDumps(body)) }, mustReply: true },
      { what: 'an extra top-level document key', frame: { ...docExtra, body: Buffer.from(pythonJsonDumps(docBody)) }, mustReply: true },
    ]);
  }

  private parts(frame: Frame): { task: Record<string, unknown>; document: Record<string, unknown> } {
    return JSON.parse(frame.body.toString('utf8')) as { task: Record<string, unknown>; document: Record<string, unknown> };
  }

  private async checkMissingOptional(): Promise<void> {
    const frame = this.frame(undefined, 'minimal');
    const { task, document } = this.parts(frame);
    // A Python DANE server's minimal frame: no timestamps, priority, state, msg or args; no attempt header.
    const body = {
      task: { key: task.key, _id: task._id },
      document: { target: document.target, creator: document.creator, _id: document._id },
    };
    const headers = this.o.dependsOn.length ? { [DEPENDENCIES_DONE_HEADER]: true } : {};
    await this.robustness('missing-optional', [
      {
        what: 'no timestamps, priority, state, msg, args or attempt',
        frame: { ...frame, body: Buffer.from(pythonJsonDumps(body)), properties: { ...frame.properties, headers } },
        mustReply: true,
      },
    ]);
  }

  private async checkNonJson(): Promise<void> {
    const frame = this.frame(undefined, 'nonjson');
    await this.robustness('non-json', [{ what: 'a body that is not JSON', frame: { ...frame, body: Buffer.from('this is {not JSON') }, mustReply: false }]);
  }

  private async checkNoReplyTo(): Promise<void> {
    const frame = this.frame(undefined, 'noreplyto');
    const { replyTo: _replyTo, ...properties } = frame.properties;
    await this.robustness('no-reply-to', [{ what: 'no reply_to', frame: { ...frame, properties: { ...properties, headers: frame.properties.headers } }, mustReply: false }]);
  }

  private async checkThroughput(): Promise<void> {
    const n = this.o.tasks;
    const frames = Array.from({ length: n }, () => this.frame(undefined, 'load'));
    const sentAt: number[] = [];
    const t0 = Date.now();
    await this.broker.publishMany(frames, (i) => (sentAt[i] = Date.now()));
    const timeoutMs = Math.max(60_000, this.o.replyTimeoutMs);
    const until = Date.now() + timeoutMs;
    let answered = 0;
    while (Date.now() < until && this.worker.running) {
      answered = frames.filter((f) => this.broker.repliesFor(f.taskId, 'any').length > 0).length;
      if (answered === n) break;
      await sleep(50);
    }
    await sleep(500);
    const firsts = frames.map((f, i) => ({ reply: this.broker.repliesFor(f.taskId, 'any')[0], i }));
    const doubles = frames.filter((f) => this.broker.repliesFor(f.taskId, 'any').length > 1).length;
    if (doubles) {
      this.record('throughput', 'FAIL', `${doubles} of ${n} tasks were answered more than once`);
      return;
    }
    if (answered < n) {
      if (!this.worker.running) {
        this.record('throughput', 'FAIL', `the worker ${this.worker.describeExit()} after ${answered} of ${n} tasks\n${this.worker.tail(6)}`);
        await this.recover();
      } else
        this.record('throughput', 'NOT CHECKED', `only ${answered} of ${n} tasks were answered in ${timeoutMs / 1000} s: too slow for a load test of this size (use --tasks N)`);
      return;
    }
    const latencies = firsts.map(({ reply, i }) => reply!.at - sentAt[i]).sort((a, b) => a - b);
    const last = Math.max(...firsts.map(({ reply }) => reply!.at));
    const seconds = Math.max(0.001, (last - t0) / 1000);
    const states = [...new Set(firsts.map(({ reply }) => reply!.state))].join(', ');
    this.record(
      'throughput',
      'PASS',
      `${n} tasks in ${seconds.toFixed(2)} s: ${(n / seconds).toFixed(1)} tasks/s, p50 latency ${latencies[Math.floor(n / 2)]} ms (states ${states})`,
    );
  }

  /**
   * Publishes a task the worker spends a while on and resolves once it is inside it: the kit's slow
   * HTTP target was requested, or (--slow-target-url) no reply came within 1 s. Undefined with a
   * reason in slowFailure when the worker answered it at once.
   */
  private async startSlowTask(): Promise<Frame | undefined> {
    if (this.slowFailure) return undefined;
    const token = randomBytes(6).toString('hex');
    const url = this.o.slowTargetUrl ?? this.slow.url(token);
    const frame = this.frame(url, 'slow');
    const t0 = Date.now();
    await this.broker.publish(frame);
    const inside = this.o.slowTargetUrl ? sleep(1000).then(() => 'inside' as const) : this.slow.reached(token).then(() => 'inside' as const);
    const answered = this.waitOutcome(frame.taskId).then((r) => r ?? ('none' as const));
    const first = await Promise.race([inside, answered]);
    if (first === 'inside' && this.broker.repliesFor(frame.taskId, 'any').length === 0) return frame;
    const reply = first === 'inside' ? this.broker.repliesFor(frame.taskId, 'any')[0] : first;
    this.slowFailure =
      reply === 'none'
        ? `the worker neither answered nor started a task on ${url} within ${this.o.replyTimeoutMs / 1000} s`
        : `no task could be caught in the middle: the worker answered a task on ${url} in ${reply.at - t0} ms (${this.describeReply(reply)})` +
          `${this.o.slowTargetUrl ? '' : ' without fetching it'}; give --slow-target-url with a target this worker works on for a few seconds`;
    return undefined;
  }

  private async checkSigkill(): Promise<void> {
    const frame = await this.startSlowTask();
    if (!frame) {
      this.record('sigkill', 'NOT CHECKED', this.slowFailure!);
      return;
    }
    await sleep(200);
    this.worker.signal('SIGKILL');
    await this.worker.waitExit(10_000);
    let back = false;
    for (let i = 0; i < 50 && !back; i++) {
      back = ((await this.broker.queueState(this.o.queue))?.messages ?? 0) > 0;
      if (!back) await sleep(100);
    }
    const beats = this.broker.repliesFor(frame.taskId, 'heartbeat').length;
    if (back) this.record('sigkill', 'PASS', 'the task killed in the middle went back to the queue (it was not acknowledged early)');
    else if (this.broker.repliesFor(frame.taskId, 'any').length) this.record('sigkill', 'NOT CHECKED', 'the task was answered before the kill took effect');
    else if (beats) this.record('sigkill', 'PASS', `the task was acknowledged early after ${beats} heartbeat(s): the server's lease protects it`);
    else this.record('sigkill', 'FAIL', 'the task killed in the middle is not in the queue and sent no heartbeat: it was acknowledged before it was done, and is lost');
  }

  private async checkRedelivered(): Promise<void> {
    if (this.worker.running) await this.worker.kill();
    await sleep(300);
    await this.broker.purge(this.o.queue);
    const frame = this.frame(undefined, 'redelivered');
    if (!(await this.broker.putRedelivered(this.o.queue, frame))) {
      this.record('redelivered', 'NOT CHECKED', `could not put a redelivered message into ${this.o.queue}`);
      await this.startWorker();
      return;
    }
    await this.startWorker();
    if (this.brokenReason) {
      this.record('redelivered', 'NOT CHECKED', this.brokenReason);
      return;
    }
    const reply = await this.waitOutcome(frame.taskId);
    await sleep(1500);
    const all = this.broker.repliesFor(frame.taskId, 'any');
    if (!reply) this.record('redelivered', 'FAIL', `a message with redelivered=true got no reply within ${this.o.replyTimeoutMs / 1000} s`);
    else if (all.length > 1)
      this.record('redelivered', 'FAIL', `a message with redelivered=true was answered ${all.length} times: ${all.map((r) => this.describeReply(r)).join(', ')}`);
    else this.record('redelivered', 'PASS', `a message with redelivered=true was answered once: ${this.describeReply(reply)}`);
  }

  private async checkSigterm(): Promise<void> {
    const frame = await this.startSlowTask();
    this.worker.signal('SIGTERM');
    const exit = await this.worker.waitExit(this.o.stopTimeoutMs);
    if (!exit) {
      this.record('sigterm', 'FAIL', `the worker was still running ${this.o.stopTimeoutMs / 1000} s after SIGTERM${frame ? ' in the middle of a task' : ' (idle)'}; it was killed`);
      await this.worker.kill();
      return;
    }
    if (!frame) {
      this.record('sigterm', 'NOT CHECKED', `the worker exits on SIGTERM when idle (${this.worker.describeExit()}), but ${this.slowFailure}`);
      return;
    }
    const reply = this.broker.repliesFor(frame.taskId, 'any')[0];
    if (reply) {
      this.record('sigterm', 'PASS', `the running task was finished and answered (${this.describeReply(reply)}), then the worker ${this.worker.describeExit()}`);
      return;
    }
    let back = false;
    for (let i = 0; i < 50 && !back; i++) {
      back = ((await this.broker.queueState(this.o.queue))?.messages ?? 0) > 0;
      if (!back) await sleep(100);
    }
    if (back) this.record('sigterm', 'PASS', `the running task was handed back to the queue, then the worker ${this.worker.describeExit()}`);
    else if (this.broker.repliesFor(frame.taskId, 'heartbeat').length)
      this.record('sigterm', 'PASS', `the worker ${this.worker.describeExit()}; the task, acknowledged early after heartbeats, is left to the server's lease`);
    else this.record('sigterm', 'FAIL', `the worker ${this.worker.describeExit()} without answering the running task or handing it back: the task is lost`);
  }
}

/** The worker queue exists before the run: it may be a production queue, which the kit must not touch. */
export class QueueExistsError extends Error {
  constructor(readonly queue: string) {
    super(
      `queue ${queue} already exists on the broker: it may be the queue of running workers, which the conformance run must not touch. ` +
        `Start the worker with a queue of its own (its queue setting, e.g. DANE_<WORKER>__QUEUE) and name it with --queue, or delete the leftover queue.`,
    );
  }
}

export class WorkerStartError extends Error {}

export interface ConformanceRun {
  checks: CheckResult[];
  /** The private names the run used (and deleted). */
  exchange: string;
  responseQueue: string;
}

export async function runConformance(options: ConformanceOptions): Promise<ConformanceRun> {
  return new Run(options).run();
}
