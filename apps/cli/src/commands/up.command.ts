import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DaneClient, ServerUnreachableError } from '@dane/client';
import { withMallocArenaMax } from '@dane/protocol';
import type { Command } from '../command';
import { UsageError } from '../errors/usage-error';
import { ExitCode } from '../exit-codes';
import { printLines } from '../output/print';
import { intOption } from '../parse-argv';

const NAME = 'up';

/** The compiled single-machine app, beside this CLI in dist/ (dist/apps/cli/src → dist/apps/dane/src). */
function singleMachineEntry(): string {
  return resolve(__dirname, '../../../dane/src/main.js');
}

export const upCommand: Command = {
  name: NAME,
  summary: 'run DANE on this machine: api + scheduler + results in one process (like npm start)',
  help: `Usage: dane up [--port N]

Runs the single-machine app (node dist/apps/dane/src/main.js) in the foreground: the REST API and the
dashboard (http://localhost:5500/manage), the scheduler and the results intake, with embedded PGlite
storage under ~/.DANE/data. Needs RabbitMQ on localhost:5672 (it says how to start it when missing).
Ctrl-C stops it. Configuration: ~/.DANE/config.yml, ./config.yml, DANE_<SECTION>__<KEY> variables.
  --port N   listen on this port (default: the port of --url or DANE_URL when given, else DANE.PORT, 5500)`,
  options: { port: { type: 'string' } },
  async run(ctx) {
    if (ctx.positionals.length) throw new UsageError(`unexpected argument ${JSON.stringify(ctx.positionals[0])}`, NAME);
    // --port, else the port of an explicit --url / DANE_URL, else DANE.PORT from the config (5500).
    const explicitPort = intOption(ctx.options.port, 'port', { min: 1, max: 65535 }, NAME);
    const port = explicitPort ?? (ctx.urlGiven ? Number(new URL(ctx.url).port) || undefined : undefined);
    const where = explicitPort === undefined ? ctx.client : new DaneClient({ baseUrl: `http://localhost:${explicitPort}`, token: ctx.token });
    // A second instance would only fail on the busy port; say what runs instead.
    const running = await where.server.health().then(
      () => true,
      (err) => !(err instanceof ServerUnreachableError),
    );
    if (running) {
      printLines(ctx.io, [`DANE already answers at ${where.baseUrl} (dashboard: ${where.baseUrl}/manage)`]);
      return ExitCode.OK;
    }
    const entry = singleMachineEntry();
    if (!existsSync(entry)) {
      throw new UsageError(`the single-machine app is not built (no ${entry}); run \`npm run build\` first, or \`npm start\` in the dane-node folder`, NAME);
    }
    // MALLOC_ARENA_MAX as `npm start` and the image set it (glibc reads it when the process starts).
    const env = withMallocArenaMax({ ...ctx.io.env, ...(port === undefined ? {} : { DANE_DANE__PORT: String(port) }) });
    const child = spawn(process.execPath, [entry], { stdio: 'inherit', env });
    void ctx.io.interrupted?.().then(() => child.kill('SIGTERM'));
    const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    return code === 0 || code === null ? ExitCode.OK : ExitCode.FAILURE;
  },
};
