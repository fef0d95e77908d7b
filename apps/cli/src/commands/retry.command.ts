import { RETRY_REFUSED_STATES, TRANSITIONS, TaskState } from '@dane/protocol';
import type { Command } from '../command';
import { UsageError } from '../errors/usage-error';
import { ExitCode } from '../exit-codes';
import { printJson, printLines } from '../output/print';
import { stateLabel } from '../output/state-label';

const NAME = 'retry';

export const retryCommand: Command = {
  name: NAME,
  summary: 'run a task again (--force from any state, --cascade re-runs its dependants after it)',
  help: `Usage: dane retry <task_id> [--force] [--cascade]

Puts the task back to ${stateLabel(TRANSITIONS.retry.to)} so the scheduler dispatches it (GET /DANE/task/<id>/retry).
A plain retry refuses tasks in ${RETRY_REFUSED_STATES.map(stateLabel).join(' or ')}.
  --force    from any state (forceretry)
  --cascade  also put the tasks that depend on it back to ${stateLabel(TaskState.UNFINISHED_DEPENDENCY)}, so they run again after it`,
  options: { force: { type: 'boolean' }, cascade: { type: 'boolean' } },
  async run(ctx) {
    if (ctx.positionals.length !== 1) throw new UsageError('give one task id', NAME);
    const [id] = ctx.positionals;
    const before = await ctx.client.tasks.get(id);
    const after = await ctx.client.tasks.retry(id, { force: Boolean(ctx.options.force), cascade: Boolean(ctx.options.cascade) });
    if (ctx.json) printJson(ctx.io, after);
    else printLines(ctx.io, [`task ${id} (${after.key}): ${stateLabel(before.state)} → ${stateLabel(after.state)} — ${after.msg}`]);
    return ExitCode.OK;
  },
};
