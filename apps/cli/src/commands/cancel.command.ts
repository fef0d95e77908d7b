import { ConflictError, NotFoundError, type TaskCancelSummary, type TasksApi } from '@dane/client';
import { TaskState } from '@dane/protocol';
import type { Command } from '../command';
import { UsageError } from '../errors/usage-error';
import { ExitCode } from '../exit-codes';
import { printJson, printLines } from '../output/print';
import { stateLabel } from '../output/state-label';
import { stateOptions } from '../state-filter';

const NAME = 'cancel';

/** One task id's outcome, for the summary. */
interface Cancelled {
  id: string;
  ok: boolean;
  line: string;
  cascaded: string[];
  blocked: string[];
}

export const cancelCommand: Command = {
  name: NAME,
  summary: 'cancel tasks (by id, or every task of a key / creator / state), --cascade also their dependants',
  help: `Usage: dane cancel <task_id…> [--cascade]
       dane cancel --key KEY [--state S…] [--creator C] [--cascade]

Puts each task not done and not cancelled already in ${stateLabel(TaskState.CANCELLED)} (POST /DANE/task/<id>/cancel,
POST /DANE/task/cancel). A worker of the SDK running one is told (ctx.signal) and may stop; whatever it answers
afterwards is ignored. A cancelled task runs again only by retry, forceretry or reset. Needs the operate role.
  --key K       every task of this key (with --state and --creator: AND)
  --state S     only tasks in these states (codes or names; repeat or comma-separate)
  --creator C   only tasks of documents of this creator.id
  --cascade     also cancel the tasks that depend on them (transitively); without it, those waiting say
                "blocked by KEY: cancelled" and need a person
Exit code 4 when a task id is unknown or could not be cancelled (done, or cancelled already).`,
  options: { key: { type: 'string' }, state: { type: 'string', multiple: true }, creator: { type: 'string' }, cascade: { type: 'boolean' } },
  async run(ctx) {
    const cascade = Boolean(ctx.options.cascade);
    const key = typeof ctx.options.key === 'string' ? ctx.options.key : undefined;
    const creator = typeof ctx.options.creator === 'string' ? ctx.options.creator : undefined;
    const states = stateOptions(ctx.options.state, NAME);
    const byFilter = key !== undefined || creator !== undefined || states.length > 0;
    if (byFilter && ctx.positionals.length > 0) throw new UsageError('give task ids or --key/--creator/--state, not both', NAME);
    if (!byFilter && ctx.positionals.length === 0) throw new UsageError('give task ids, or --key KEY (with --state, --creator)', NAME);
    if (byFilter && key === undefined && creator === undefined) throw new UsageError('--state needs --key or --creator (a cancel never selects every task)', NAME);

    if (byFilter) {
      const summary = await ctx.client.tasks.cancelMany({ key, creator, states: states.length ? states : undefined }, { cascade });
      if (ctx.json) printJson(ctx.io, summary);
      else printLines(ctx.io, summaryLines(summary, cascade));
      return ExitCode.OK;
    }

    const outcomes: Cancelled[] = [];
    for (const id of ctx.positionals) outcomes.push(await cancelOne(ctx.client.tasks, id, cascade));
    const failed = outcomes.filter((o) => !o.ok).length;
    if (ctx.json)
      printJson(
        ctx.io,
        outcomes.map(({ id, ok, line, cascaded, blocked }) => ({ task_id: id, cancelled: ok, message: line, cascaded, blocked })),
      );
    else {
      const cancelled = outcomes.length - failed;
      const cascaded = outcomes.reduce((n, o) => n + o.cascaded.length, 0);
      const blocked = outcomes.reduce((n, o) => n + o.blocked.length, 0);
      printLines(ctx.io, [
        ...outcomes.map((o) => o.line),
        `${cancelled} of ${outcomes.length} cancelled` +
          (cascaded ? `, ${cascaded} dependant(s) cancelled with them` : '') +
          (blocked ? `, ${blocked} dependant(s) now blocked (they need a person: retry the cancelled task, or cancel them)` : '') +
          (failed ? `, ${failed} not cancelled` : ''),
      ]);
    }
    return failed ? ExitCode.SOME_FAILED : ExitCode.OK;
  },
};

async function cancelOne(tasks: TasksApi, id: string, cascade: boolean): Promise<Cancelled> {
  try {
    const { task, cascaded, blocked } = await tasks.cancel(id, { cascade });
    return { id, ok: true, line: `task ${id} (${task.key}): ${stateLabel(task.state)}`, cascaded, blocked };
  } catch (err) {
    if (err instanceof NotFoundError || err instanceof ConflictError) return { id, ok: false, line: `task ${id}: not cancelled — ${err.message}`, cascaded: [], blocked: [] };
    throw err;
  }
}

function summaryLines(s: TaskCancelSummary, cascade: boolean): string[] {
  const lines = [`${s.matched} task(s) matched: ${s.cancelled} cancelled`];
  if (cascade) lines.push(`${s.cascaded} dependant(s) cancelled with them`);
  else if (s.blocked) lines.push(`${s.blocked} dependant(s) now blocked by a cancelled task (they need a person; --cascade cancels them)`);
  const { done, already_cancelled, changed } = s.skipped;
  if (done || already_cancelled || changed) lines.push(`left alone: ${done} done, ${already_cancelled} cancelled already, ${changed} changed meanwhile`);
  return lines;
}
