import { createWriteStream } from 'node:fs';
import { copyFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { type DaneDocument, TaskState, DaneWorker, loadWorkerConfig, type DaneWorkerOptions, type TaskContext, type WorkerOutcome, type WorkerTask } from '@dane/worker';
import { mediaSource, outcomeForFileError, outcomeForHttpStatus, unreachable, unsupportedScheme } from '../shared/media-source';

/**
 * DOWNLOAD: copies the document's target.url into its TEMP folder (the layout of
 * docs/protocol.md, Work folders) and saves `{file_path, size}` — the result later tasks (CHECKSUM, ASR…)
 * read through the API, as W:dane-download-worker's `payload.file_path` was read by its dependants.
 */
export class DownloadWorker extends DaneWorker {
  private readonly timeoutMs: number;

  constructor(options: Partial<DaneWorkerOptions> = {}) {
    const config = options.config ?? loadWorkerConfig(__dirname);
    const section = config.DOWNLOAD_WORKER ?? {};
    super({ queue: String(section.QUEUE ?? 'DOWNLOAD'), bindingKey: '#.DOWNLOAD', ...options, config });
    this.timeoutMs = Number(section.TIMEOUT_SECONDS ?? 600) * 1000;
  }

  async callback(task: WorkerTask, document: DaneDocument, ctx: TaskContext): Promise<WorkerOutcome> {
    const source = mediaSource(document.target.url);
    if (source.kind === 'unsupported') return unsupportedScheme(source.scheme);
    const { TEMP_FOLDER } = this.getDirs(document, true, false, task);
    const target = resolve(join(TEMP_FOLDER, fileNameOf(document.target.url)));
    await ctx.heartbeat(`Downloading ${document.target.url}`);
    const failed = source.kind === 'http' ? await this.fetchTo(source.url, target, ctx) : await this.copyTo(source.candidates, source.path, target);
    if (failed) return failed;
    const { size } = await stat(target);
    await ctx.saveResult({ file_path: target, size });
    return { state: TaskState.SUCCESS, message: `Downloaded ${size} bytes to ${target}` };
  }

  private async fetchTo(url: string, target: string, ctx: TaskContext): Promise<WorkerOutcome | undefined> {
    let res: Response;
    try {
      res = await fetch(url, { redirect: 'follow', signal: AbortSignal.any([AbortSignal.timeout(this.timeoutMs), ctx.signal]) });
    } catch (e) {
      return unreachable(url, e);
    }
    if (!res.ok || !res.body) return outcomeForHttpStatus(res.status, url);
    try {
      await pipeline(Readable.fromWeb(res.body as ReadableStream<Uint8Array>), createWriteStream(target));
    } catch (e) {
      return unreachable(url, e);
    }
    return undefined;
  }

  private async copyTo(candidates: string[], path: string, target: string): Promise<WorkerOutcome | undefined> {
    let lastError: NodeJS.ErrnoException | undefined;
    for (const candidate of candidates) {
      try {
        await copyFile(candidate, target);
        return undefined;
      } catch (e) {
        lastError = e;
      }
    }
    const outcome = outcomeForFileError(lastError!, path);
    if (outcome) return outcome;
    throw lastError!;
  }
}

/** The last path segment of the URL, decoded and made safe as a file name ("source" when there is none). */
export function fileNameOf(url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    /* a plain local path */
  }
  let name = basename(path);
  try {
    name = decodeURIComponent(name);
  } catch {
    /* keep it encoded */
  }
  name = name.replace(/[/\\\0]/g, '_');
  return name && name !== '.' && name !== '..' ? name : 'source';
}
