import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

export const DIST = join(__dirname, '..');

export interface Spawned {
  child: ChildProcess;
  lines: (handler: (line: string) => void) => void;
  stop: () => Promise<void>;
}

/** Starts a compiled entry point of dist/ with extra environment; stderr is kept for error reports. */
export function spawnNode(entry: string, env: Record<string, string>, name: string): Spawned {
  // BENCH_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) is passed to every child, for profiling.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(DIST, entry)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const handlers: Array<(line: string) => void> = [];
  createInterface({ input: child.stdout! }).on('line', (l) => handlers.forEach((h) => h(l)));
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  child.on('exit', (code, signal) => {
    if (process.env.BENCH_DEBUG) process.stderr.write(`bench: ${name} exited with ${code ?? signal}\n${stderr}\n`);
    if (code && code !== 0 && !stopping) process.stderr.write(`bench: ${name} exited with ${code ?? signal}\n${stderr}\n`);
  });
  let stopping = false;
  return {
    child,
    lines: (h) => handlers.push(h),
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        if (child.exitCode !== null || child.signalCode) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`bench: timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

/** A TCP port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
