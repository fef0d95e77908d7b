import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The one child-process helper of the suite and the bench (compiled by `npm run build` too: node
 * built-ins only). A Node script as a child process whose stdout/stderr lines are kept (and echoed
 * with DANE_TEST_LOGS=1), so a test can wait for a structured log line, count events, and show the
 * output when something fails. Every wait is bounded.
 */

/** The repository: the nearest folder above this file with a package.json (from test/support or dist/test/support). */
export const REPO_ROOT = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface NodeProcessOptions {
  /** Arguments after the script. */
  args?: string[];
  /** Node's own flags, before the script (e.g. `--cpu-prof`). */
  nodeArgs?: string[];
  /**
   * What the child gets besides `env`: 'minimal' (default) is PATH, HOME, LANG, TZ and NODE_PATH to
   * the repository's node_modules (no NODE_OPTIONS of jest, no DANE_* of the developer), for
   * scripts compiled outside the repository; 'inherit' is our whole environment; 'none' is nothing
   * (the caller gives the whole environment, e.g. an image's).
   */
  baseEnv?: 'minimal' | 'inherit' | 'none';
  /** Keep at most this many recent lines (long runs); all by default. */
  maxLines?: number;
  /** Called when the process exits without stop() or kill() having been called. */
  onUnexpectedExit?: (exit: Exit, proc: NodeProcess) => void;
}

export class NodeProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<Exit>;
  private exit?: Exit;
  private expected = false;
  readonly child: ChildProcess;
  private readonly listeners = new Set<() => void>();
  private readonly lineHandlers: Array<(line: string) => void> = [];

  constructor(
    readonly label: string,
    script: string,
    env: Record<string, string> = {},
    cwd: string = process.cwd(),
    private readonly options: NodeProcessOptions = {},
  ) {
    const base: Record<string, string> = {};
    const baseEnv = options.baseEnv ?? 'minimal';
    if (baseEnv === 'minimal') {
      for (const k of ['PATH', 'HOME', 'LANG', 'TZ']) if (process.env[k] !== undefined) base[k] = process.env[k]!;
      base.NODE_PATH = join(REPO_ROOT, 'node_modules');
    } else if (baseEnv === 'inherit') {
      for (const [k, v] of Object.entries(process.env)) if (v !== undefined) base[k] = v;
    }
    this.child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...(options.args ?? [])], {
      cwd,
      env: { ...base, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      let rest = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const parts = (rest + chunk).split('\n');
        rest = parts.pop()!;
        for (const line of parts) this.push(line);
      });
      stream.on('end', () => rest && this.push(rest));
    }
    this.exited = new Promise((resolvePromise) =>
      // 'close': after the exit and the end of its output, so every line is in by then.
      this.child.once('close', (code, signal) => {
        this.exit = { code, signal };
        if (!this.expected) this.options.onUnexpectedExit?.(this.exit, this);
        this.notify();
        resolvePromise(this.exit);
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** Calls `handler` with every line from now on. */
  onLine(handler: (line: string) => void): void {
    this.lineHandlers.push(handler);
  }

  private push(line: string): void {
    this.lines.push(line);
    if (this.options.maxLines !== undefined && this.lines.length > this.options.maxLines) this.lines.splice(0, this.lines.length - this.options.maxLines);
    if (process.env.DANE_TEST_LOGS) process.stdout.write(`[${this.label}] ${line}\n`);
    for (const h of this.lineHandlers) h(line);
    this.notify();
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Parsed JSON log lines (others skipped) matching `pred`. */
  events(pred: (e: Record<string, any>) => boolean = () => true): Record<string, any>[] {
    const out: Record<string, any>[] = [];
    for (const line of this.lines) {
      const e = parseLogLine(line);
      if (e && pred(e)) out.push(e);
    }
    return out;
  }

  /** Resolves with the first JSON log line matching `pred` (already seen or to come); bounded. */
  waitForEvent(what: string, pred: (e: Record<string, any>) => boolean, timeoutMs = 30_000): Promise<Record<string, any>> {
    return this.waitUntilSeen(what, () => this.events(pred)[0], timeoutMs);
  }

  /** Resolves once some line (raw text) matches `pattern`; bounded. */
  waitForOutput(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    return this.waitUntilSeen(String(pattern), () => this.lines.find((l) => pattern.test(l)), timeoutMs);
  }

  private waitUntilSeen<T>(what: string, find: () => T | undefined, timeoutMs: number): Promise<T> {
    return new Promise((resolvePromise, reject) => {
      const check = () => {
        const hit = find();
        if (hit !== undefined) return done(() => resolvePromise(hit));
        if (!this.running) return done(() => reject(new Error(`${this.label} exited (${JSON.stringify(this.exit)}) before ${what}\n${this.tail()}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what} from ${this.label}\n${this.tail()}`))), timeoutMs);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        settle();
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Sends `signal` (an exit after it is expected: no onUnexpectedExit). */
  kill(signal: NodeJS.Signals): void {
    this.expected = true;
    if (this.running) this.child.kill(signal);
  }

  /** Waits for the exit, SIGKILLing after `timeoutMs`. */
  async waitForExit(timeoutMs = 30_000): Promise<Exit> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const first = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (first !== 'timeout') return first;
    this.kill('SIGKILL');
    throw new Error(`${this.label} did not exit within ${timeoutMs} ms (killed)\n${this.tail()}`);
  }

  /** Stops it for cleanup: SIGTERM, then SIGKILL after a grace period; resolves with the exit. */
  async stop(graceMs = 10_000): Promise<Exit> {
    this.expected = true;
    if (!this.running) return this.exit!;
    this.kill('SIGTERM');
    return this.waitForExit(graceMs).catch(async () => this.exited);
  }

  tail(n = 40): string {
    return this.lines
      .slice(-n)
      .map((l) => `  [${this.label}] ${l}`)
      .join('\n');
  }
}

/**
 * The fields of a structured log line, or null: an SDK worker line is `{event, …}`; a server line
 * (Nest's JSON logger) carries our `{event, …}` object as its `message`, which is merged up.
 */
function parseLogLine(line: string): Record<string, any> | null {
  const start = line.indexOf('{');
  if (start < 0) return null;
  try {
    const v = JSON.parse(line.slice(start).replace(/\x1b\[[0-9;]*m/g, ''));
    if (typeof v !== 'object' || v === null) return null;
    return typeof v.message === 'object' && v.message !== null ? { ...v, ...v.message } : v;
  } catch {
    return null;
  }
}
