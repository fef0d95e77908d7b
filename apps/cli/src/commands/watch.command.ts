import { TaskState } from '@dane/protocol';
import type { Command, CommandContext } from '../command';
import { UsageError } from '../errors/usage-error';
import { ExitCode } from '../exit-codes';
import { formatDuration, formatRate } from '../output/duration';
import { stateLabel } from '../output/state-label';
import { renderTable } from '../output/table';
import { stringList } from '../parse-argv';
import { KeyProgress, keyProgress, settled } from '../watch/key-progress';
import { RateTracker } from '../watch/rate-tracker';

const NAME = 'watch';
const DEFAULT_INTERVAL_SECONDS = 2;

function rows(progress: readonly KeyProgress[], rates: RateTracker): string[] {
  return renderTable(
    [
      { header: 'KEY' },
      { header: 'TOTAL', align: 'right' },
      { header: 'DONE', align: 'right' },
      { header: 'IN FLIGHT', align: 'right' },
      { header: 'TO RUN', align: 'right' },
      { header: 'WAITING', align: 'right' },
      { header: 'NEEDS PERSON', align: 'right' },
      { header: 'RATE', align: 'right' },
      { header: 'ETA', align: 'right' },
      { header: 'BY STATE' },
    ],
    progress.map((p) => {
      const eta = rates.eta(p.key, p.remaining);
      return [
        p.key,
        p.total,
        p.byClass.done,
        p.byClass.in_flight,
        p.byClass.runs_automatically,
        p.byClass.waiting,
        p.needsPerson,
        formatRate(rates.rate(p.key)),
        eta === null ? '–' : formatDuration(eta),
        byState(p),
      ];
    }),
  );
}

/** `2 SUCCESS, 1 ERROR`: which states hide behind the class columns. */
function byState(p: KeyProgress): string {
  return Object.entries(p.byState)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([code, count]) => `${count} ${stateLabel(code).replace(/^\d+ /, '')}`)
    .join(', ');
}

/** Redraws the block in place on a terminal; elsewhere prints one block per tick. */
class WatchDisplay {
  private lines = 0;
  constructor(private readonly ctx: CommandContext) {}

  show(block: string[]): void {
    const out = this.ctx.io.stdout;
    if (out.isTTY && this.lines > 0) out.write(`\x1b[${this.lines}A\x1b[0J`);
    out.write(block.join('\n') + '\n' + (out.isTTY ? '' : '\n'));
    this.lines = block.length;
  }
}

function sleep(ms: number, interrupted?: () => Promise<void>): Promise<'slept' | 'interrupted'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('slept'), ms);
    void interrupted?.().then(() => {
      clearTimeout(timer);
      resolve('interrupted');
    });
  });
}

export const watchCommand: Command = {
  name: NAME,
  summary: 'live task counts per key: done, in flight, waiting, needing a person; rate and ETA',
  help: `Usage: dane watch [--key KEY ...] [--interval SECONDS] [--until-done]

Reads the task counts every interval (default ${DEFAULT_INTERVAL_SECONDS} s) and shows, per key, how many tasks are
done, in flight, to run, waiting for dependencies (${stateLabel(TaskState.UNFINISHED_DEPENDENCY)}) and needing a person, with the completion rate
over the last minute and the ETA of the rest.
  --key KEY      watch these keys only (repeatable); default every key
  --until-done   stop when nothing can move any more — every watched task is done or needs a person
                 (a manual state, retries spent, or waiting in ${stateLabel(TaskState.UNFINISHED_DEPENDENCY)} for such a task) — and say
                 how many need a person: exit 0 when all are done, 4 when some need a person.
NEEDS PERSON counts those tasks whatever their state (a 503 whose retries are spent stays 503).
  --json         one JSON line per reading`,
  options: { key: { type: 'string', multiple: true }, interval: { type: 'string' }, 'until-done': { type: 'boolean' } },
  async run(ctx) {
    if (ctx.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(ctx.positionals[0])}`, NAME);
    const intervalText = ctx.options.interval === undefined ? String(DEFAULT_INTERVAL_SECONDS) : String(ctx.options.interval);
    const interval = Number(intervalText);
    if (!Number.isFinite(interval) || interval < 0.1) throw new UsageError(`--interval must be a number of seconds ≥ 0.1 (got ${JSON.stringify(intervalText)})`, NAME);
    const keys = stringList(ctx.options.key).map((k) => k.toUpperCase());
    const rates = new RateTracker();
    const display = new WatchDisplay(ctx);
    for (;;) {
      const t = Date.now();
      const read = await ctx.client.server.taskProgress();
      const progress = keyProgress(read.counts, keys, read.needsPerson);
      for (const p of progress) rates.add(p.key, t, p.byClass.done);
      if (ctx.json) {
        const keysOut = progress.map((p) => ({
          key: p.key,
          total: p.total,
          by_state: p.byState,
          by_class: p.byClass,
          needs_person: p.needsPerson,
          rate: rates.rate(p.key),
          eta_seconds: rates.eta(p.key, p.remaining),
        }));
        ctx.io.stdout.write(JSON.stringify({ at: new Date(t).toISOString(), keys: keysOut }) + '\n');
      } else {
        display.show([`DANE ${ctx.url} · ${new Date(t).toLocaleTimeString()}`, ...(progress.length ? rows(progress, rates) : ['no tasks'])]);
      }
      if (ctx.options['until-done'] && settled(progress)) {
        const stuck = progress.reduce((n, p) => n + p.needsPerson, 0);
        if (stuck === 0) {
          if (!ctx.json) ctx.io.stdout.write('All done.\n');
          return ExitCode.OK;
        }
        const keysText = progress
          .filter((p) => p.needsPerson > 0)
          .map((p) => `${p.key} ${p.needsPerson}`)
          .join(', ');
        const text = `Nothing can move any more: ${stuck} task${stuck === 1 ? '' : 's'} need${stuck === 1 ? 's' : ''} a person (${keysText}); list them with GET /DANE/task/?needs_person=true.`;
        if (ctx.json) ctx.io.stdout.write(JSON.stringify({ done: true, needs_person: stuck }) + '\n');
        else ctx.io.stdout.write(text + '\n');
        return ExitCode.SOME_FAILED;
      }
      if ((await sleep(interval * 1000, ctx.io.interrupted)) === 'interrupted') return ExitCode.OK;
    }
  },
};
