import { spawn, type ChildProcess } from 'node:child_process';

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * The worker under test: the user's command as a child process in a process group of its own (so a
 * SIGKILL reaches everything it started), its output kept (the last lines are shown when it crashes).
 */
export class WorkerProcess {
  private child?: ChildProcess;
  private exitPromise?: Promise<WorkerExit>;
  exit?: WorkerExit;
  private lines: string[] = [];
  starts = 0;

  constructor(
    private readonly command: readonly string[],
    private readonly cwd: string,
    private readonly env: Record<string, string | undefined>,
  ) {}

  start(): void {
    this.exit = undefined;
    this.starts++;
    const child = spawn(this.command[0], this.command.slice(1), { cwd: this.cwd, env: this.env as NodeJS.ProcessEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) this.lines.push(line.slice(0, 400));
      if (this.lines.length > 200) this.lines.splice(0, this.lines.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exitPromise = new Promise((resolve) => {
      child.once('error', (err) => {
        this.lines.push(`cannot start ${this.command[0]}: ${err.message}`);
        this.exit = { code: null, signal: null };
        resolve(this.exit);
      });
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  get running(): boolean {
    return this.child !== undefined && this.exit === undefined;
  }

  /** SIGTERM goes to the process group, as a terminal's Ctrl-C or `docker stop` of a shell-less image would. */
  signal(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (!pid || !this.running) return;
    try {
      process.kill(-pid, signal);
    } catch {
      this.child?.kill(signal);
    }
  }

  /** Resolves with the exit, or undefined when it has not exited within `ms`. */
  async waitExit(ms: number): Promise<WorkerExit | undefined> {
    if (!this.exitPromise) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
    try {
      return await Promise.race([this.exitPromise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL to the group and wait for the exit. */
  async kill(): Promise<void> {
    this.signal('SIGKILL');
    await this.waitExit(10_000);
  }

  describeExit(): string {
    if (!this.exit) return 'running';
    return this.exit.signal ? `killed by ${this.exit.signal}` : `exited with code ${this.exit.code}`;
  }

  tail(n = 8): string {
    return this.lines.slice(-n).join('\n');
  }
}
