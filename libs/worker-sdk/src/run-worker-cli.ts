import { batchExitCode, runBatch } from './batch/run-batch';
import { parseWorkerArgs, readDocumentsList, WORKER_CLI_USAGE } from './batch/cli-args';
import type { DaneWorker } from './dane-worker';

/**
 * The `main` of a worker (a worker class, or a worker made by createWorker): no flags → consume the queue until SIGTERM/SIGINT; `--document` or
 * `--documents-list` → batch mode over those documents; `--api-url` overrides DANE.API_URL.
 * Sets process.exitCode (2 bad arguments, 1 start-up error or every document failed) and returns it.
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
    if (args.documents.length === 0 && !args.documentsList) {
      await worker.run();
      return done(0);
    }
    const documents = args.documentsList ? readDocumentsList(args.documentsList) : args.documents;
    return done(batchExitCode(await runBatch(worker, { documents })));
  } catch (e) {
    process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level: 'error', event: 'worker_failed', message: e.message, error: e.name }) + '\n');
    return done(1);
  }
}
