import type { CampaignSpec, CampaignView } from '@dane/client';
import type { Command, CommandContext } from '../command';
import { UsageError } from '../errors/usage-error';
import { ExitCode } from '../exit-codes';
import { formatDuration } from '../output/duration';
import { printJson, printLines } from '../output/print';
import { ProgressBar } from '../output/progress-bar';
import { stringList } from '../parse-argv';

const NAME = 'campaign';
const DEFAULT_INTERVAL_SECONDS = 2;

function numberOption(ctx: CommandContext, name: string, min: number): number | undefined {
  const raw = ctx.options[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number ≥ ${min} (got ${JSON.stringify(raw)})`, NAME);
  return n;
}

function text(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.options[name];
  return typeof v === 'string' ? v : undefined;
}

/** The campaign the options describe (create). */
function specOf(ctx: CommandContext): CampaignSpec {
  const key = text(ctx, 'key');
  if (!key) throw new UsageError('--key KEY is required', NAME);
  const action = text(ctx, 'action') ?? 'assign';
  if (action !== 'assign' && action !== 'rerun') throw new UsageError(`--action must be assign or rerun (got ${JSON.stringify(action)})`, NAME);
  const states = stringList(ctx.options.state).map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n)) throw new UsageError(`--state takes state codes like 500 (got ${JSON.stringify(s)})`, NAME);
    return n;
  });
  const documents = stringList(ctx.options.document);
  const generator = {
    ...(text(ctx, 'generator') !== undefined ? { name: text(ctx, 'generator') } : {}),
    ...(text(ctx, 'generator-version') !== undefined ? { version: text(ctx, 'generator-version') } : {}),
    ...(text(ctx, 'older-than') !== undefined ? { version_below: text(ctx, 'older-than') } : {}),
  };
  let args: Record<string, unknown> | undefined;
  if (text(ctx, 'args') !== undefined) {
    try {
      args = JSON.parse(text(ctx, 'args')!);
    } catch {
      throw new UsageError('--args must be a JSON object', NAME);
    }
  }
  return {
    action,
    selection: {
      key,
      ...(text(ctx, 'creator') !== undefined ? { creator_id: text(ctx, 'creator') } : {}),
      ...(text(ctx, 'target') !== undefined ? { target_id: text(ctx, 'target') } : {}),
      ...(documents.length ? { document_ids: documents } : {}),
      ...(states.length ? { states } : {}),
      ...(Object.keys(generator).length ? { generator } : {}),
    },
    ...(numberOption(ctx, 'max-in-flight', 1) !== undefined ? { max_in_flight: numberOption(ctx, 'max-in-flight', 1) } : {}),
    ...(text(ctx, 'name') !== undefined ? { name: text(ctx, 'name') } : {}),
    ...(numberOption(ctx, 'priority', 0) !== undefined ? { priority: numberOption(ctx, 'priority', 0) } : {}),
    ...(args !== undefined ? { args } : {}),
  };
}

function finished(c: CampaignView): number {
  return c.counts.done + c.counts.failed + c.counts.cancelled;
}

function summary(c: CampaignView): string[] {
  const k = c.counts;
  const eta = c.eta_seconds === null ? '–' : formatDuration(c.eta_seconds);
  return [
    `campaign ${c._id}${c.name ? ` (${c.name})` : ''}: ${c.action} ${c.selection.key}, ${c.status}`,
    `  matched ${k.matched} · pending ${k.pending} · queued ${k.queued} · running ${k.running} · done ${k.done} · failed ${k.failed} · cancelled ${k.cancelled}`,
    `  in flight ${c.in_flight} of at most ${c.max_in_flight} · ${c.rate_per_minute}/min · ETA ${eta}`,
  ];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Follows a campaign until it is done or cancelled: a progress bar on stderr, or one JSON line per reading. */
async function watch(ctx: CommandContext, id: string): Promise<ExitCode> {
  const intervalText = ctx.options.interval === undefined ? String(DEFAULT_INTERVAL_SECONDS) : String(ctx.options.interval);
  const interval = Number(intervalText);
  if (!Number.isFinite(interval) || interval < 0.1) throw new UsageError(`--interval must be a number of seconds ≥ 0.1 (got ${JSON.stringify(intervalText)})`, NAME);
  let bar: ProgressBar | undefined;
  for (;;) {
    const c = await ctx.client.campaigns.get(id);
    if (ctx.json) ctx.io.stdout.write(JSON.stringify({ at: new Date().toISOString(), ...c }) + '\n');
    else {
      bar ??= new ProgressBar(ctx.io.stderr, `campaign ${c._id}`, c.counts.matched);
      bar.update(finished(c), c.counts.failed);
    }
    if (c.status === 'done' || c.status === 'cancelled') {
      bar?.finish();
      if (!ctx.json) printLines(ctx.io, summary(c));
      return c.counts.failed > 0 ? ExitCode.SOME_FAILED : ExitCode.OK;
    }
    await sleep(interval * 1000);
  }
}

export const campaignCommand: Command = {
  name: NAME,
  summary: 'campaigns: assign a key to a selection, or re-run selected tasks, at most N at a time; status, watch, cancel',
  help: `Usage: dane campaign create --key KEY [--action assign|rerun] [selection] [--max-in-flight N] [--dry-run] [--watch]
       dane campaign status [<id>]
       dane campaign watch <id> [--interval SECONDS]
       dane campaign pause|resume <id>
       dane campaign cancel <id> [--cascade]

A campaign (POST /DANE/campaigns/; docs/protocol.md, Campaigns) takes a selection once and feeds it to the scheduler
with at most --max-in-flight (server default 100) of its tasks unfinished at a time. It is kept in the store: it
survives restarts and resumes.
  --action assign     (default) assign KEY to every selected document that has no task of it
  --action rerun      run the selected tasks of KEY again
Selection (every given condition must hold):
  --creator ID        documents of this creator (wildcards * and ?)
  --target PATTERN    documents whose target.id matches (wildcards * and ?)
  --document ID       these documents (repeatable)
  --state CODE        rerun: tasks in this state (repeatable; default every state but 102 and cancelled)
  --generator NAME    rerun: tasks with a result of this generator name
  --generator-version V   … of exactly this generator version
  --older-than V      … of a generator version below V (dotted numbers; a result without a version counts as older)
  --dry-run           show the exact counts and a sample; nothing is stored or changed
  --watch             after create, follow it like \`dane campaign watch\`
  --name, --priority N, --args JSON   a label; assign: the new tasks' priority and args
watch exits 0 when the campaign is done with nothing failed, 4 when some tasks need a person.
cancel stops feeding and cancels the campaign's unfinished tasks (--cascade: their dependants too).`,
  options: {
    key: { type: 'string' },
    action: { type: 'string' },
    creator: { type: 'string' },
    target: { type: 'string' },
    document: { type: 'string', multiple: true },
    state: { type: 'string', multiple: true },
    generator: { type: 'string' },
    'generator-version': { type: 'string' },
    'older-than': { type: 'string' },
    'max-in-flight': { type: 'string' },
    name: { type: 'string' },
    priority: { type: 'string' },
    args: { type: 'string' },
    'dry-run': { type: 'boolean' },
    watch: { type: 'boolean' },
    interval: { type: 'string' },
    cascade: { type: 'boolean' },
  },
  async run(ctx) {
    const [action, ...rest] = ctx.positionals;
    const one = (): string => {
      if (rest.length !== 1) throw new UsageError(`${action} takes one campaign id`, NAME);
      return rest[0];
    };
    if (action === 'create') {
      if (rest.length) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`, NAME);
      const spec = specOf(ctx);
      if (ctx.options['dry-run']) {
        const dry = await ctx.client.campaigns.dryRun(spec);
        if (ctx.json) printJson(ctx.io, dry);
        else {
          const states = Object.entries(dry.by_state)
            .map(([s, n]) => `${n} in ${s}`)
            .join(', ');
          printLines(ctx.io, [
            `dry run: ${spec.action} ${spec.selection.key} would take ${dry.matched} ${spec.action === 'assign' ? 'document(s)' : 'task(s)'}${states ? ` (${states})` : ''}; nothing was changed`,
            ...dry.sample.map((s) => `  document ${s.document_id}  task ${s.task_id}${s.state === null ? '' : `  state ${s.state}`}`),
            ...(dry.matched > dry.sample.length ? [`  … and ${dry.matched - dry.sample.length} more`] : []),
          ]);
        }
        return ExitCode.OK;
      }
      const c = await ctx.client.campaigns.create(spec);
      if (ctx.options.watch) {
        if (!ctx.json) printLines(ctx.io, [`campaign ${c._id} started: ${c.counts.matched} matched`]);
        return watch(ctx, c._id);
      }
      if (ctx.json) printJson(ctx.io, c);
      else printLines(ctx.io, summary(c));
      return ExitCode.OK;
    }
    if (action === 'status') {
      if (rest.length === 0) {
        const { campaigns, total } = await ctx.client.campaigns.list();
        if (ctx.json) printJson(ctx.io, { total, campaigns });
        else printLines(ctx.io, campaigns.length ? campaigns.flatMap(summary) : ['no campaigns']);
        return ExitCode.OK;
      }
      const c = await ctx.client.campaigns.get(one());
      if (ctx.json) printJson(ctx.io, c);
      else printLines(ctx.io, summary(c));
      return ExitCode.OK;
    }
    if (action === 'watch') return watch(ctx, one());
    if (action === 'pause' || action === 'resume') {
      const id = one();
      const c = action === 'pause' ? await ctx.client.campaigns.pause(id) : await ctx.client.campaigns.resume(id);
      if (ctx.json) printJson(ctx.io, c);
      else printLines(ctx.io, summary(c));
      return ExitCode.OK;
    }
    if (action === 'cancel') {
      const out = await ctx.client.campaigns.cancel(one(), { cascade: !!ctx.options.cascade });
      if (ctx.json) printJson(ctx.io, out);
      else printLines(ctx.io, [out.message, ...summary(out.campaign)]);
      return ExitCode.OK;
    }
    throw new UsageError('give create, status, watch, pause, resume or cancel', NAME);
  },
};
