import { readFileSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { InputError } from '../errors/input-error';
import { csvDocuments } from './csv-documents';
import { folderDocuments } from './folder-documents';
import { jsonDocuments } from './json-documents';
import { DocumentDefaults, ReadOutcome } from './submit-item';

/** Documents from a folder, a CSV, a JSON list or JSON lines, by what the path is. */
export function readDocuments(path: string, cwd: string, defaults: DocumentDefaults): ReadOutcome {
  const full = resolve(cwd, path);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(full).isDirectory();
  } catch {
    throw new InputError(path, '', 'no such file or folder');
  }
  if (isDirectory) return folderDocuments(full, defaults);
  const text = readFileSync(full, 'utf8');
  const ext = extname(full).toLowerCase();
  if (ext === '.csv') return { items: csvDocuments(text, full, defaults), skipped: [] };
  if (ext === '.json') return { items: jsonDocuments(text, full, defaults, false), skipped: [] };
  if (ext === '.jsonl' || ext === '.ndjson') return { items: jsonDocuments(text, full, defaults, true), skipped: [] };
  throw new InputError(path, '', 'give a folder of media files, a .csv (target_id,url,type[,creator_id]), a .json list or a .jsonl file');
}
