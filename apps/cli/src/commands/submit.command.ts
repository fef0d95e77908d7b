import { userInfo } from 'node:os';
import type { AssignManyOutcome, DaneClient, RegisterManyOutcome, TaskSpec } from '@dane/client';
import { DEFAULT_CHUNK_SIZE } from '@dane/client';
import { MAX_PRIORITY, MIN_PRIORITY, TaskState } from '@dane/protocol';
import type { Command, CommandContext } from '../command';
import { UsageError } from '../errors/usage-error';
import { ExitCode } from '../exit-codes';
import { readDocuments } from '../input/read-documents';
import { creatorTypeProblem, SubmitItem, targetTypeProblem } from '../input/submit-item';
import { printJson, printLines } from '../output/print';
import { ProgressBar } from '../output/progress-bar';
import { stateLabel } from '../output/state-label';
import { intOption, stringList } from '../parse-argv';

const NAME = 'submit';
const SHOWN_FAILURES = 20;

const HELP = `Usage: dane submit <folder | file.csv | file.json | file.jsonl> [--key KEY ...] [options]

Registers the documents (POST /DANE/documents/, in chunks), then assigns each --key to all of them
(POST /DANE/task/, list form). Documents that exist already are not failures: their tasks are still
assigned. Tasks already assigned are reported and left as they are (re-run them with retry/reset).

Input:
  folder       every media file below it: target.id = path relative to the folder, url = file:// URL,
               type from the extension (files of unknown type are skipped unless --type is given)
  .csv         header target_id,url,type[,creator_id]; a bad line is named by its number
  .json        a list of documents {target: {id, url, type}, creator?} or {target_id, url, type, creator_id?}
  .jsonl       one such document per line

Options:
  --key KEY            task to assign (repeatable), e.g. --key DOWNLOAD --key ASR
  --priority N         task priority ${MIN_PRIORITY}..${MAX_PRIORITY} (default 1)
  --depends-on KEY     the tasks wait in ${stateLabel(TaskState.UNFINISHED_DEPENDENCY)} until KEY is ${stateLabel(TaskState.SUCCESS)} on the same
                       document (repeatable)
  --args JSON          task arguments, e.g. '{"lang": "nl"}'
  --creator-id ID      creator of documents that name none (default: your user name)
  --creator-type TYPE  Organization, Human or Software (default Human)
  --type TYPE          target type for every document: Dataset, Image, Video, Sound or Text
  --chunk-size N       documents per request (default ${DEFAULT_CHUNK_SIZE})

Exit code 4 when some documents or tasks failed; they are listed on stderr.`;

function taskSpecs(ctx: CommandContext): TaskSpec[] {
  const keys = stringList(ctx.options.key).map((k) => k.toUpperCase());
  const dependsOn = stringList(ctx.options['depends-on']).map((k) => k.toUpperCase());
  const priority = intOption(ctx.options.priority, 'priority', { min: MIN_PRIORITY, max: MAX_PRIORITY }, NAME);
  let args: Record<string, unknown> | undefined;
  if (ctx.options.args !== undefined) {
    try {
      args = JSON.parse(String(ctx.options.args));
    } catch (err) {
      throw new UsageError(`--args must be a JSON object: ${(err as Error).message}`, NAME);
    }
    if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new UsageError('--args must be a JSON object', NAME);
  }
  if (dependsOn.length && !keys.length) throw new UsageError('--depends-on needs a --key to assign', NAME);
  // A key never waits for itself: `--key DOWNLOAD --key ASR --depends-on DOWNLOAD` makes only ASR wait.
  return keys.map((key) => ({ key, priority, args, depends_on: dependsOn.filter((d) => d !== key) }));
}

function defaults(ctx: CommandContext) {
  const type = ctx.options.type === undefined ? undefined : String(ctx.options.type);
  if (type !== undefined && targetTypeProblem(type)) throw new UsageError(`--${targetTypeProblem(type)}`, NAME);
  const creatorType = String(ctx.options['creator-type'] ?? 'Human');
  if (creatorTypeProblem(creatorType)) throw new UsageError(`--${creatorTypeProblem(creatorType)}`, NAME);
  const creatorId = String(ctx.options['creator-id'] ?? ctx.io.env.USER ?? userInfo().username);
  return { type, creator: { id: creatorId, type: creatorType } };
}

async function register(client: DaneClient, items: SubmitItem[], ctx: CommandContext, chunkSize?: number): Promise<RegisterManyOutcome> {
  const bar = new ProgressBar(ctx.io.stderr, 'documents', items.length);
  try {
    return await client.registerMany(
      items.map((i) => i.input),
      { chunkSize, onProgress: (p) => bar.update(p.done, p.failed) },
    );
  } finally {
    bar.finish();
  }
}

async function assign(client: DaneClient, ids: string[], spec: TaskSpec, ctx: CommandContext, chunkSize?: number): Promise<AssignManyOutcome> {
  const bar = new ProgressBar(ctx.io.stderr, `tasks ${spec.key}`, ids.length);
  try {
    return await client.assignMany(ids, spec, { chunkSize, onProgress: (p) => bar.update(p.done, p.failed) });
  } finally {
    bar.finish();
  }
}

export const submitCommand: Command = {
  name: NAME,
  summary: 'register documents (folder, CSV, JSON) and assign tasks to them, with progress',
  help: HELP,
  options: {
    key: { type: 'string', multiple: true },
    priority: { type: 'string' },
    'depends-on': { type: 'string', multiple: true },
    args: { type: 'string' },
    'creator-id': { type: 'string' },
    'creator-type': { type: 'string' },
    type: { type: 'string' },
    'chunk-size': { type: 'string' },
  },
  async run(ctx) {
    if (ctx.positionals.length !== 1) throw new UsageError('give one folder or file to submit', NAME);
    const specs = taskSpecs(ctx);
    const chunkSize = intOption(ctx.options['chunk-size'], 'chunk-size', { min: 1, max: 10_000 }, NAME);
    const { items, skipped } = readDocuments(ctx.positionals[0], ctx.io.cwd, defaults(ctx));
    for (const s of skipped) ctx.io.stderr.write(`skipped ${s}\n`);
    if (items.length === 0) throw new UsageError(`no documents found in ${ctx.positionals[0]}`, NAME);

    const docs = await register(ctx.client, items, ctx, chunkSize);
    const ids = [...docs.registered, ...docs.existing].map((d) => d._id);
    const tasks: Record<string, AssignManyOutcome> = {};
    for (const spec of specs) tasks[spec.key] = await assign(ctx.client, ids, spec, ctx, chunkSize);

    const failures = [
      ...docs.failed.map((f) => `${items[f.index]?.source ?? `item ${f.index + 1}`}: ${f.error}`),
      ...Object.entries(tasks).flatMap(([key, t]) => t.failed.map((f) => `task ${key} on ${String(f.document_id)}: ${f.error}`)),
    ];
    if (ctx.json) {
      printJson(ctx.io, {
        documents: { registered: docs.registered.length, existing: docs.existing.length, failed: docs.failed.map((f) => ({ source: items[f.index]?.source, error: f.error })) },
        tasks: Object.fromEntries(Object.entries(tasks).map(([key, t]) => [key, { assigned: t.assigned.length, already_assigned: t.alreadyAssigned.length, failed: t.failed }])),
        document_ids: ids,
        skipped,
      });
    } else {
      printLines(ctx.io, [
        `documents: ${docs.registered.length} registered, ${docs.existing.length} already there, ${docs.failed.length} failed`,
        ...Object.entries(tasks).map(([key, t]) => `tasks ${key}: ${t.assigned.length} assigned, ${t.alreadyAssigned.length} already assigned, ${t.failed.length} failed`),
      ]);
    }
    for (const f of failures.slice(0, SHOWN_FAILURES)) ctx.io.stderr.write(`failed: ${f}\n`);
    if (failures.length > SHOWN_FAILURES) ctx.io.stderr.write(`… and ${failures.length - SHOWN_FAILURES} more failures (--json lists them all)\n`);
    return failures.length ? ExitCode.SOME_FAILED : ExitCode.OK;
  },
};
