import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..', '..');

/**
 * Builds the example workers and the SDK exactly as they ship (`tsc` + `tsc-alias` into dist/),
 * so process-level tests run `node dist/workers/<name>/main.js` like an operator would.
 */
export function buildWorkers(): void {
  const bin = (name: string) => join(REPO_ROOT, 'node_modules', '.bin', name);
  const project = join(REPO_ROOT, 'workers', 'tsconfig.build.json');
  execFileSync(bin('tsc'), ['-p', project], { cwd: REPO_ROOT, stdio: 'pipe' });
  execFileSync(bin('tsc-alias'), ['-p', project], { cwd: REPO_ROOT, stdio: 'pipe' });
}

export interface WorkerProcess {
  child: ChildProcess;
  /** Parsed JSON log lines so far (other lines are kept as {raw}). */
  lines: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
  waitForLine(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export function startWorkerProcess(name: string, args: string[], options: { cwd: string; env: Record<string, string> }): WorkerProcess {
  const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'workers', name, 'main.js'), ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let buffer = '';
  const onData = (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const text = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        lines.push(JSON.parse(text));
      } catch {
        lines.push({ raw: text });
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitForLine = async (match: (line: Record<string, unknown>) => boolean, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = lines.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`No matching log line within ${timeoutMs} ms; got:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return { child, lines, exited, waitForLine };
}
