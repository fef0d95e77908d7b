import { batchExitCode, runBatch } from './batch/run-batch';
import { isBatchRun, parseWorkerArgs, readDocumentsList, WORKER_CLI_USAGE } from './batch/cli-args';
import type { DaneWorker } from './dane-worker';

/**
 * The `main` of a worker (a worker class, or a worker made by createWorker): no selection → consume the queue until SIGTERM/SIGINT;
 * `--document`, `--documents-list`, `--creator` or `--search` → a batch run over those documents (runBatch; WORKER_CLI_USAGE);
 * `--api-url` overrides DANE.API_URL. Sets process.exitCode (0 all done or skipped; 1 a failure or a start-up error;
 * 2 bad arguments or nothing valid to do) and returns it.
 */
export async function runWorkerCli(Worker: DaneWorker | (new () => DaneWorker), argv: string[] = process.argv.slice(2)): Promise<number> {
  const done = (code: number) => {
    process.exitCode = code;
    return code;
  };
  let args;
  try {
    args = parseWorkerArgs(argv);
  } catch (e) {
    process.stderr.write(`${e.message}\n${WORKER_CLI_USAGE}\n`);
    return done(2);
  }
  if (args.help) {
    process.stdout.write(WORKER_CLI_USAGE + '\n');
    return done(0);
  }
  let worker: DaneWorker;
  try {
    worker = typeof Worker === 'function' ? new Worker() : Worker;
    if (args.apiUrl) worker.config.DANE.API_URL = args.apiUrl;
    if (!isBatchRun(args)) {
      await worker.run();
      return done(0);
    }
    const documents = args.documentsList ? readDocumentsList(args.documentsList) : args.documents;
    const { creator, search, unprocessed, limit, force, verbose } = args;
    return done(batchExitCode(await runBatch(worker, { documents, creator, search, unprocessed, limit, force, verbose })));
  } catch (e) {
    const stack = args.verbose && e.stack ? { stack: e.stack } : {};
    process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level: 'error', event: 'worker_failed', message: e.message, error: e.name, ...stack }) + '\n');
    return done(1);
  }
}
