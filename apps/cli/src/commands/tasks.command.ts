import { TaskState } from '@dane/protocol';
import type { Command } from '../command';
import { ExitCode } from '../exit-codes';
import { printJson, printLines } from '../output/print';
import { stateLabel } from '../output/state-label';
import { taskTable } from '../output/task-lines';
import { intOption } from '../parse-argv';
import { stateOptions } from '../state-filter';

const NAME = 'tasks';

export const tasksCommand: Command = {
  name: NAME,
  summary: 'tasks by key and state, a page at a time, with the total',
  help: `Usage: dane tasks [--key KEY] [--state STATE ...] [--page N] [--size N] [--all]

  --key KEY      only tasks of this key
  --state STATE  only tasks in this state: a code or a name (${TaskState.ERROR}, ERROR, error); repeatable or comma-separated
  --page N       page to show, 1-based (default 1)
  --size N       tasks per page, at most 1000 (default 50)
  --all          every page`,
  options: {
    key: { type: 'string' },
    state: { type: 'string', multiple: true },
    page: { type: 'string' },
    size: { type: 'string' },
    all: { type: 'boolean' },
  },
  async run(ctx) {
    const states = stateOptions(ctx.options.state, NAME);
    const key = ctx.options.key === undefined ? undefined : String(ctx.options.key);
    const query = ctx.client.tasks.list({ key, states });
    const size = intOption(ctx.options.size, 'size', { min: 1, max: 1000 }, NAME) ?? 50;
    const pageNo = intOption(ctx.options.page, 'page', { min: 1 }, NAME) ?? 1;
    const page = ctx.options.all ? await query.all().then((items) => ({ items, total: items.length, page: 1, size: items.length })) : await query.page(pageNo, size);
    if (ctx.json) {
      printJson(ctx.io, { total: page.total, page: page.page, size: page.size, tasks: page.items });
      return ExitCode.OK;
    }
    const filter = [key ? `key ${key.toUpperCase()}` : '', states.length ? `state ${states.map(stateLabel).join(' or ')}` : ''].filter(Boolean).join(', ');
    const pages = Math.max(1, Math.ceil(page.total / Math.max(1, page.size)));
    printLines(ctx.io, [
      ...(page.items.length ? taskTable(page.items, true) : ['no tasks']),
      `${page.total} task${page.total === 1 ? '' : 's'}${filter ? ` (${filter})` : ''} · page ${page.page} of ${pages}`,
    ]);
    return ExitCode.OK;
  },
};
