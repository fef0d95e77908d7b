import { extname, resolve } from 'node:path';
import type { Command } from '../command';
import { UsageError } from '../errors/usage-error';
import { ExitCode } from '../exit-codes';

const NAME = 'worker';

type WorkerClass = new () => object;

/** A class whose prototype chain reaches DaneWorker (by identity, or by shape when the module has its own copy of the SDK). */
function isWorkerClass(value: unknown, base: abstract new (...args: never[]) => object): value is WorkerClass {
  if (typeof value !== 'function' || value === base || !value.prototype) return false;
  if (value.prototype instanceof base) return true;
  const proto = value.prototype as Record<string, unknown>;
  return typeof proto.callback === 'function' && typeof proto.handleTask === 'function' && typeof proto.run === 'function';
}

function loadModule(path: string, given: string): Record<string, unknown> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a user's module, by a path known at run time
    return require(path) as Record<string, unknown>;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'MODULE_NOT_FOUND' && e.message.includes(path)) throw new UsageError(`no worker module at ${given}`, NAME);
    if (extname(path) === '.ts')
      throw new UsageError(`cannot load ${given} (${e.message.split('\n')[0]}); dane worker runs compiled JavaScript: \`npm run build\`, then give the .js under dist/`, NAME);
    throw err;
  }
}

export const workerCommand: Command = {
  name: NAME,
  summary: 'run a worker module that exports a DaneWorker subclass',
  help: `Usage: dane worker [--export NAME] <module.js> [worker options]

Loads the module, finds the exported DaneWorker subclass (--export NAME picks one when there are
several) and runs it with the worker SDK's runWorkerCli: without options it consumes its queue until
Ctrl-C; --document ID … or --documents-list FILE runs it once on those documents (batch mode).
Options after the module path go to the worker (see its --help), except dane's own --url, --token
and --json. --url, when given (or DANE_URL), becomes the worker's --api-url.`,
  options: { export: { type: 'string' } },
  passThrough: true,
  async run(ctx) {
    if (ctx.positionals.length !== 1) throw new UsageError('give the path of a worker module', NAME);
    const given = ctx.positionals[0];
    // Loaded on demand: the SDK brings amqplib, which no other command needs.
    const { DaneWorker, runWorkerCli } = await import('@dane/worker');
    const exports = loadModule(resolve(ctx.io.cwd, given), given);
    const wanted = ctx.options.export === undefined ? undefined : String(ctx.options.export);
    const named = Object.entries(exports).filter(([name, value]) => (wanted === undefined || name === wanted) && isWorkerClass(value, DaneWorker));
    const classes = [...new Set(named.map(([, value]) => value as WorkerClass))];
    if (classes.length === 0) {
      const what = wanted ? `no DaneWorker subclass exported as ${wanted}` : 'no exported DaneWorker subclass';
      throw new UsageError(
        `${given} has ${what} (exports: ${
          Object.keys(exports)
            .filter((k) => k !== '__esModule')
            .sort((a, b) => a.localeCompare(b))
            .join(', ') || 'none'
        })`,
        NAME,
      );
    }
    if (classes.length > 1) throw new UsageError(`${given} exports several workers (${named.map(([n]) => n).join(', ')}); pick one with --export NAME`, NAME);
    const args = [...ctx.passThrough];
    if (ctx.urlGiven && !args.some((a) => a === '--api-url' || a.startsWith('--api-url='))) args.push('--api-url', `${ctx.url}/DANE/`);
    const code = await runWorkerCli(classes[0] as never, args);
    return code === 0 ? ExitCode.OK : code === 2 ? ExitCode.USAGE : ExitCode.FAILURE;
  },
};
