import type { ResultView } from '@dane/client';
import type { Command } from '../command';
import { UsageError } from '../errors/usage-error';
import { ExitCode } from '../exit-codes';
import { printJson, printLines } from '../output/print';

const NAME = 'results';

function resultLines(r: ResultView): string[] {
  const payload = JSON.stringify(r.payload, null, 2).split('\n').map((l) => `  ${l}`);
  return [`result ${r._id} of ${r.task_key} (task ${r.task_id}) by ${r.generator.name} ${r.generator.id}, ${r.created_at}`, ...payload];
}

export const resultsCommand: Command = {
  name: NAME,
  summary: 'results of a task, or of a document and task key',
  help: `Usage: dane results <task_id>
       dane results --document DOCUMENT_ID [--key KEY]

Prints every result with its payload (all pages).`,
  options: { document: { type: 'string' }, key: { type: 'string' } },
  async run(ctx) {
    const documentId = ctx.options.document === undefined ? undefined : String(ctx.options.document);
    const key = ctx.options.key === undefined ? undefined : String(ctx.options.key);
    let results: ResultView[];
    if (documentId !== undefined) {
      if (ctx.positionals.length) throw new UsageError('give either a task id or --document, not both', NAME);
      results = await ctx.client.results.find({ documentId, taskKey: key }).all();
    } else {
      if (key !== undefined) throw new UsageError('--key goes with --document', NAME);
      if (ctx.positionals.length !== 1) throw new UsageError('give a task id, or --document ID [--key KEY]', NAME);
      // A task that does not exist is a 404 here, not an empty list.
      results = await ctx.client.tasks.results(ctx.positionals[0]).all();
    }
    if (ctx.json) printJson(ctx.io, { total: results.length, results });
    else printLines(ctx.io, results.length ? results.flatMap(resultLines) : ['no results']);
    return ExitCode.OK;
  },
};
