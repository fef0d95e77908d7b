import { MASS_RESET_DEFAULT_STATE, TaskState, TRANSITIONS } from '@dane/protocol';
import type { Command } from '../command';
import { UsageError } from '../errors/usage-error';
import { ExitCode } from '../exit-codes';
import { printJson, printLines } from '../output/print';
import { stateLabel } from '../output/state-label';
import { stateOptions } from '../state-filter';

const NAME = 'reset';

export const resetCommand: Command = {
  name: NAME,
  summary: 'put a task back to be run, or every task of a key in a state (mass reset)',
  help: `Usage: dane reset <task_id> [--cascade]
       dane reset --key KEY [--state STATE]

One task: back to ${stateLabel(TRANSITIONS.reset.to)} "Reset" (GET /DANE/task/<id>/reset); --cascade also puts its dependants back
to ${stateLabel(TaskState.UNFINISHED_DEPENDENCY)}.
Mass reset: every task of KEY in STATE (default ${stateLabel(MASS_RESET_DEFAULT_STATE)}) → ${stateLabel(TRANSITIONS.massReset.to)}
(GET /DANE/workers/<KEY>/reset/<STATE>); the scheduler dispatches them again.`,
  options: { key: { type: 'string' }, state: { type: 'string' }, cascade: { type: 'boolean' } },
  async run(ctx) {
    const key = ctx.options.key === undefined ? undefined : String(ctx.options.key).toUpperCase();
    if (key !== undefined) {
      if (ctx.positionals.length) throw new UsageError('give either a task id or --key, not both', NAME);
      const states = stateOptions(ctx.options.state, NAME);
      if (states.length > 1) throw new UsageError('a mass reset takes one --state', NAME);
      const state = states[0] ?? MASS_RESET_DEFAULT_STATE;
      const outcome = await ctx.client.tasks.massReset(key, state);
      if (ctx.json) printJson(ctx.io, { key, state, ...outcome });
      else
        printLines(ctx.io, [
          outcome.total
            ? `reset ${outcome.total} task${outcome.total === 1 ? '' : 's'} of ${key} from ${stateLabel(state)} to ${stateLabel(TRANSITIONS.massReset.to)}`
            : `no tasks of ${key} in ${stateLabel(state)}`,
        ]);
      return ExitCode.OK;
    }
    if (ctx.options.state !== undefined) throw new UsageError('--state goes with --key (mass reset)', NAME);
    if (ctx.positionals.length !== 1) throw new UsageError('give one task id, or --key KEY [--state STATE]', NAME);
    const [id] = ctx.positionals;
    const before = await ctx.client.tasks.get(id);
    const after = await ctx.client.tasks.reset(id, { cascade: Boolean(ctx.options.cascade) });
    if (ctx.json) printJson(ctx.io, after);
    else printLines(ctx.io, [`task ${id} (${after.key}): ${stateLabel(before.state)} → ${stateLabel(after.state)} — ${after.msg}`]);
    return ExitCode.OK;
  },
};
