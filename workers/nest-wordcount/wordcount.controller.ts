import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Controller, Inject } from '@nestjs/common';
import { Ctx, MessagePattern } from '@nestjs/microservices';
import { TaskState, type WorkerOutcome } from '@dane/worker';
import { DaneContext } from '@dane/worker/nest';
import { WORDCOUNT_SETTINGS, type WordcountSettings } from './wordcount-settings';

export interface TextCounts {
  words: number;
  lines: number;
  characters: number;
}

/** What a `WORDCOUNT` task stores: counts of the text file at target.url, and its size. */
interface WordcountResult extends TextCounts {
  [field: string]: unknown;
  bytes: number;
}

/** Words (runs of non-space), lines (like `wc -l`, plus a last line without newline) and characters of a text. */
export function countText(text: string): TextCounts {
  const words = text.match(/\S+/gu)?.length ?? 0;
  const newlines = text.match(/\n/g)?.length ?? 0;
  const lines = newlines + (text.length > 0 && !text.endsWith('\n') ? 1 : 0);
  return { words, lines, characters: [...text].length };
}

/**
 * A local file path or a `file://` URL to read, or why not. The server requotes target.url (a space
 * becomes %20; docs/protocol.md, URL normalisation), so a plain path is also tried percent-decoded.
 */
export function localCandidates(url: string): string[] | WorkerOutcome {
  if (/^file:/i.test(url)) return [fileURLToPath(url)];
  const scheme = /^([a-z][a-z0-9+.-]+):\/\//i.exec(url)?.[1];
  if (scheme) return { state: TaskState.BAD_REQUEST, message: `Unsupported URL scheme ${scheme}:// (this worker reads local files: a path or file://)` };
  let decoded = url;
  try {
    decoded = decodeURIComponent(url);
  } catch {
    /* keep the raw path */
  }
  return decoded === url ? [url] : [url, decoded];
}

/**
 * The tasks of key WORDCOUNT: reads the text file at the document's target.url (a local path or
 * `file://` URL), stores `{words, lines, characters, bytes}` as a result and answers 200. A missing
 * file is 404, an unreadable one 403, another scheme or a file over MAX_BYTES 400 — outcomes, so
 * the task waits for a person instead of being retried.
 */
@Controller()
export class WordcountController {
  constructor(@Inject(WORDCOUNT_SETTINGS) private readonly settings: WordcountSettings) {}

  @MessagePattern('WORDCOUNT')
  async count(@Ctx() ctx: DaneContext): Promise<WorkerOutcome> {
    const candidates = localCandidates(ctx.document.target.url);
    if (!Array.isArray(candidates)) return candidates;
    const file = await this.read(candidates);
    if ('state' in file) return file;
    await ctx.heartbeat(`counting ${file.bytes} bytes`);
    const counts: WordcountResult = { ...countText(file.text), bytes: file.bytes };
    await ctx.saveResult(counts);
    ctx.log.info('wordcount_done', `Counted ${counts.words} words in ${file.path}`, { words: counts.words });
    return { state: TaskState.SUCCESS, message: `Success: ${counts.words} words in target ${ctx.document.target.id}` };
  }

  private async read(candidates: string[]): Promise<{ path: string; text: string; bytes: number } | WorkerOutcome> {
    let lastError: NodeJS.ErrnoException | undefined;
    for (const path of candidates) {
      try {
        const info = await stat(path);
        if (!info.isFile()) return { state: TaskState.NOT_FOUND, message: `No file found at ${path} (not a regular file)` };
        if (info.size > this.settings.maxBytes) {
          return { state: TaskState.BAD_REQUEST, message: `${path} has ${info.size} bytes, more than NEST_WORDCOUNT_WORKER.MAX_BYTES (${this.settings.maxBytes})` };
        }
        return { path, text: await readFile(path, 'utf8'), bytes: info.size };
      } catch (e) {
        lastError = e as NodeJS.ErrnoException;
      }
    }
    if (lastError?.code === 'ENOENT' || lastError?.code === 'ENOTDIR') return { state: TaskState.NOT_FOUND, message: 'No file found at source_url' };
    if (lastError?.code === 'EACCES' || lastError?.code === 'EPERM') return { state: TaskState.ACCESS_DENIED, message: `Access denied to ${candidates[0]}` };
    throw lastError ?? new Error(`No file found at ${candidates[0]}`); // anything else: a 500 with its text (DaneExceptionFilter keeps it)
  }
}
