import { join } from 'node:path';
import { NodeProcess } from '../test/support/node-process';

/** dist/ (this file runs as dist/bench/processes.js). */
const DIST = join(__dirname, '..');

/**
 * Starts a compiled entry point of dist/ with our environment plus `env` (the suite's NodeProcess;
 * the last lines are kept for error reports). BENCH_NODE_ARGS (e.g. `--cpu-prof
 * --cpu-prof-dir=/tmp/prof`) is passed to every child, for profiling; BENCH_DEBUG reports every exit.
 */
export function spawnNode(entry: string, env: Record<string, string>, name: string): NodeProcess {
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const report = (exit: { code: number | null; signal: string | null }, p: NodeProcess) =>
    process.stderr.write(`bench: ${name} exited with ${exit.code ?? exit.signal}\n${p.tail(40)}\n`);
  const proc = new NodeProcess(name, join(DIST, entry), env, process.cwd(), {
    baseEnv: 'inherit',
    nodeArgs,
    maxLines: 200,
    onUnexpectedExit: (exit, p) => {
      if (exit.code && !process.env.BENCH_DEBUG) report(exit, p);
    },
  });
  if (process.env.BENCH_DEBUG) void proc.exited.then((exit) => report(exit, proc));
  return proc;
}
