// A client script as a team writes it in its own repository: @dane/client only.
import { DaneClient, TaskState, type Task } from '@dane/client';

async function waitDone(task: Task, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await task.isDone())) {
    if (Date.now() > until) throw new Error(`task ${task._id} (${task.key}) not done: ${task.stateCode} ${task.msg}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Polls until the task leaves 201/102 and returns where it went. */
async function settled(task: Task, timeoutMs: number): Promise<{ state: number; msg?: string }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const state = await task.state();
    if (state !== TaskState.CREATED && state !== TaskState.QUEUED) return { state, msg: task.msg };
    if (Date.now() > until) throw new Error(`task ${task._id} (${task.key}) still in ${state}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(): Promise<void> {
  const [file, missing, targetId, ...keys] = process.argv.slice(2);
  const dane = new DaneClient({ baseUrl: process.env.DANE_URL!, token: process.env.DANE_TOKEN });
  const doc = await dane.document({ target: { id: targetId, url: file, type: 'Dataset' }, creator: { id: 'outside-team', type: 'Organization' } }).register();
  const tasks = await Promise.all(keys.map((key) => doc.assign(key)));
  await Promise.all(tasks.map((t) => waitDone(t, 60_000)));
  const out: Record<string, unknown> = { document: doc._id, target: doc.target.id.toUpperCase() };
  for (const task of tasks) {
    const payloads: unknown[] = [];
    for await (const r of task.results()) payloads.push(r.payload);
    out[task.key] = { state: await task.state(), done: task.stateCode === TaskState.SUCCESS, isDone: await task.isDone(), payloads };
  }
  const lost = await dane.document({ target: { id: `${targetId}-missing`, url: missing, type: 'Text' }, creator: { id: 'outside-team', type: 'Organization' } }).register();
  const failing = await Promise.all(keys.map((key) => lost.assign(key)));
  out.missing = Object.fromEntries(await Promise.all(failing.map(async (t) => [t.key, await settled(t, 60_000)])));
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
