export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

/**
 * One JSON object per line on stdout (`{"time", "level", "worker", "event", "message", task_id,
 * document_id, ...}`), so a log shipper can follow one task across workers without parsing prose.
 */
export class WorkerLog {
  constructor(
    private readonly worker: string,
    private readonly minLevel: LogLevel = 'info',
    private readonly bound: LogFields = {},
    private readonly write: (line: string) => void = (line) => process.stdout.write(line + '\n'),
  ) {}

  /** The same log with fields (task_id, document_id) added to every line. */
  with(fields: LogFields): WorkerLog {
    return new WorkerLog(this.worker, this.minLevel, { ...this.bound, ...fields }, this.write);
  }

  debug(event: string, message: string, fields?: LogFields): void {
    this.emit('debug', event, message, fields);
  }
  info(event: string, message: string, fields?: LogFields): void {
    this.emit('info', event, message, fields);
  }
  warn(event: string, message: string, fields?: LogFields): void {
    this.emit('warn', event, message, fields);
  }
  error(event: string, message: string, fields?: LogFields): void {
    this.emit('error', event, message, fields);
  }

  private emit(level: LogLevel, event: string, message: string, fields?: LogFields): void {
    if (RANK[level] < RANK[this.minLevel]) return;
    this.write(JSON.stringify({ time: new Date().toISOString(), level, worker: this.worker, event, message, ...this.bound, ...fields }));
  }
}

/** LOGGING.LEVEL of the DANE config (`DEBUG`, `INFO`, `WARNING`, `ERROR`) as a log level. */
export function logLevelOf(level: unknown): LogLevel {
  const l = String(level ?? 'INFO').toLowerCase();
  if (l === 'debug') return 'debug';
  if (l === 'warn' || l === 'warning') return 'warn';
  if (l === 'error' || l === 'critical') return 'error';
  return 'info';
}
