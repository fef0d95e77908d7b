import { MAX_PAGE_SIZE, type PagedQuery, type ResultView } from '@dane/client';
import type { Command } from '../command';
import { UsageError } from '../errors/usage-error';
import { ExitCode } from '../exit-codes';
import { printJson, printLines } from '../output/print';
import { intOption } from '../parse-argv';

const NAME = 'results';

function resultLines(r: ResultView): string[] {
  const payload = JSON.stringify(r.payload, null, 2)
    .split('\n')
    .map((l) => `  ${l}`);
  return [`result ${r._id} of ${r.task_key} (task ${r.task_id}) by ${r.generator.name} ${r.generator.id}, ${r.created_at}`, ...payload];
}

/** The first `limit` results (every page without a limit) and the server's total. */
async function collect(query: PagedQuery<ResultView>, limit: number | undefined): Promise<{ total: number; results: ResultView[] }> {
  const results: ResultView[] = [];
  let total = 0;
  for await (const page of query.pages(Math.min(limit ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE))) {
    total = page.total;
    results.push(...page.items);
    if (limit !== undefined && results.length >= limit) break;
  }
  if (limit !== undefined) results.splice(limit);
  return { total: Math.max(total, results.length), results };
}

export const resultsCommand: Command = {
  name: NAME,
  summary: 'results of a task, of every task of a key, or of a document',
  help: `Usage: dane results <task_id>
       dane results --key KEY [--limit N]
       dane results --document DOCUMENT_ID [--key KEY] [--limit N]

  <task_id>         the results of this task (exit 1 if there is no such task)
  --key KEY         the results of every task of this key (matched upper-cased)
  --document ID     the results of this document's tasks; with --key, of its task of that key
  --limit N         at most N results (default: every page)

Prints each result with its payload, walking all pages, then how many there are.
With --json: {"total": <all matching results>, "results": [...]}.

Examples:
  dane results --key ASR
  dane results --key ASR --limit 10 --json
  dane results --document $DOC --key ASR`,
  options: { document: { type: 'string' }, key: { type: 'string' }, limit: { type: 'string' } },
  async run(ctx) {
    const documentId = ctx.options.document === undefined ? undefined : String(ctx.options.document);
    const key = ctx.options.key === undefined ? undefined : String(ctx.options.key);
    const limit = intOption(ctx.options.limit, 'limit', { min: 1 }, NAME);
    if (documentId === '') throw new UsageError('--document needs a document id', NAME);
    if (key === '') throw new UsageError('--key needs a task key', NAME);
    let query: PagedQuery<ResultView>;
    if (documentId !== undefined || key !== undefined) {
      if (ctx.positionals.length) throw new UsageError('give either a task id or --key/--document, not both', NAME);
      query = ctx.client.results.find({ documentId, taskKey: key });
    } else {
      if (ctx.positionals.length !== 1) throw new UsageError('give a task id, --key KEY, or --document ID [--key KEY]', NAME);
      // A task that does not exist is a 404 here, not an empty list.
      query = ctx.client.tasks.results(ctx.positionals[0]);
    }
    const { total, results } = await collect(query, limit);
    if (ctx.json) {
      printJson(ctx.io, { total, results });
      return ExitCode.OK;
    }
    const count = results.length < total ? `${results.length} of ${total} results` : `${total} result${total === 1 ? '' : 's'}`;
    const of = [key ? `key ${key.toUpperCase()}` : '', documentId ? `document ${documentId}` : ''].filter(Boolean).join(', ');
    printLines(ctx.io, [...(results.length ? results.flatMap(resultLines) : ['no results']), `${count}${of ? ` (${of})` : ''}`]);
    return ExitCode.OK;
  },
};
