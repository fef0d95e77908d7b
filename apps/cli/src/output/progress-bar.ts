import type { CliOutput } from '../cli-io';
import { formatDuration, formatRate } from './duration';

const BAR_WIDTH = 28;

/**
 * Progress of a bulk step on stderr. On a terminal one line is redrawn in place (bar, percentage,
 * rate, ETA); elsewhere (a log file, CI) every update is a line of its own, so nothing is lost.
 */
export class ProgressBar {
  private readonly started = Date.now();
  private drawn = false;

  constructor(
    private readonly out: CliOutput,
    private readonly label: string,
    private readonly total: number,
  ) {}

  update(done: number, failed = 0): void {
    const seconds = (Date.now() - this.started) / 1000;
    const rate = seconds > 0 ? done / seconds : null;
    const pct = this.total === 0 ? 100 : Math.floor((done / this.total) * 100);
    const failures = failed ? ` · ${failed} failed` : '';
    if (this.out.isTTY) {
      const filled = Math.round((pct / 100) * BAR_WIDTH);
      const eta = rate && done < this.total ? ` · ETA ${formatDuration((this.total - done) / rate)}` : '';
      const line = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${String(pct).padStart(3)}% ${done}/${this.total} · ${formatRate(rate)}${eta}${failures}`;
      this.out.write(`\r\x1b[2K${line.slice(0, Math.max(20, (this.out.columns ?? 120) - 1))}`);
      this.drawn = true;
    } else {
      this.out.write(`${this.label}: ${done}/${this.total} (${pct}%)${failures}\n`);
    }
  }

  /** Ends the redrawn line so that what follows starts on a fresh one. */
  finish(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}
