import { stat } from 'node:fs/promises';
import { type DaneDocument, TaskState, DaneWorker, loadWorkerConfig, type DaneWorkerOptions, type TaskContext, type WorkerOutcome, type WorkerTask } from '@dane/worker';
import { mediaSource, outcomeForFileError, outcomeForHttpStatus, unreachable, unsupportedScheme } from '../shared/media-source';
import { filesizeSettings, formatSize, FilesizeSettings } from './filesize-settings';

type SizeOrOutcome = { bytes: number } | { outcome: WorkerOutcome };

/**
 * The filesize worker of the DANE docs (seed "Examples"): the size of the file at target.url,
 * in FILESIZE_WORKER.UNIT with PRECISION decimals, saved as a result {file_size, unit}.
 */
export class FilesizeWorker extends DaneWorker {
  readonly settings: FilesizeSettings;

  constructor(options: Partial<DaneWorkerOptions> = {}) {
    const config = options.config ?? loadWorkerConfig(__dirname);
    const settings = filesizeSettings(config);
    super({ queue: settings.queue, bindingKey: '#.FILESIZE', ...options, config });
    this.settings = settings;
  }

  async callback(_task: WorkerTask, document: DaneDocument, ctx: TaskContext): Promise<WorkerOutcome> {
    const measured = await this.measure(document.target.url);
    if ('outcome' in measured) return measured.outcome;
    const fileSize = formatSize(measured.bytes, this.settings);
    await ctx.saveResult({ file_size: fileSize, unit: this.settings.unit });
    return { state: TaskState.SUCCESS, message: `Success: ${fileSize} ${this.settings.unit}` };
  }

  private async measure(url: string): Promise<SizeOrOutcome> {
    const source = mediaSource(url);
    if (source.kind === 'unsupported') return { outcome: unsupportedScheme(source.scheme) };
    if (source.kind === 'http') {
      let res: Response;
      try {
        res = await fetch(source.url, { method: 'HEAD', redirect: 'follow', signal: AbortSignal.timeout(30_000) });
      } catch (e) {
        return { outcome: unreachable(source.url, e) };
      }
      if (!res.ok) return { outcome: outcomeForHttpStatus(res.status, source.url) };
      const length = res.headers.get('content-length');
      if (length === null || !/^\d+$/.test(length)) {
        return { outcome: { state: TaskState.ERROR_INVALID_INPUT, message: `${source.url} did not report a Content-Length` } };
      }
      return { bytes: Number(length) };
    }
    let lastError: NodeJS.ErrnoException | undefined;
    for (const path of source.candidates) {
      try {
        const info = await stat(path);
        if (info.isFile()) return { bytes: info.size };
        lastError = Object.assign(new Error(`${path} is not a file`), { code: 'EISDIR' });
      } catch (e) {
        lastError = e;
      }
    }
    const outcome = outcomeForFileError(lastError!, source.path);
    if (outcome) return { outcome };
    throw lastError!;
  }
}
