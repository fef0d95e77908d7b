import { NotFoundError } from '@dane/client';
import type { Command } from '../command';
import { UsageError } from '../errors/usage-error';
import { ExitCode } from '../exit-codes';
import { printJson, printLines } from '../output/print';
import { documentLines, taskLines, taskTable } from '../output/task-lines';

const NAME = 'status';

export const statusCommand: Command = {
  name: NAME,
  summary: 'a task (with its document) or a document (with its tasks), by id',
  help: `Usage: dane status <task_id | document_id>

A task id shows the task, its document and how many results it has; a document id shows the
document and every one of its tasks.`,
  options: {},
  async run(ctx) {
    if (ctx.positionals.length !== 1) throw new UsageError('give one task or document id', NAME);
    const [id] = ctx.positionals;
    const { client, io } = ctx;
    try {
      const task = await client.tasks.get(id);
      const [document, results] = await Promise.all([client.tasks.document(id), client.tasks.results(id).total()]);
      if (ctx.json) printJson(io, { kind: 'task', task, document, results });
      else printLines(io, [...taskLines(task), `  results ${results}`, ...documentLines(document)]);
      return ExitCode.OK;
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    try {
      const document = await client.documents.get(id);
      const tasks = await client.documents.tasks(id).all();
      if (ctx.json) printJson(io, { kind: 'document', document, tasks });
      else printLines(io, [...documentLines(document), '', ...(tasks.length ? taskTable(tasks, false) : ['no tasks'])]);
      return ExitCode.OK;
    } catch (err) {
      if (err instanceof NotFoundError) {
        throw new NotFoundError(`No task or document with id \`${id}\` found`, { method: 'GET', url: `${client.baseUrl}/DANE/task/${id}`, status: 404 });
      }
      throw err;
    }
  },
};
