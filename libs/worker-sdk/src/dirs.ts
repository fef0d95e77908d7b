import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface DocumentDirs {
  TEMP_FOLDER: string;
  OUT_FOLDER: string;
}

export interface DirRoots {
  TEMP_FOLDER: string;
  OUT_FOLDER: string;
}

/**
 * `_id[0:2]/_id[2:4]/_id[4:6]` — the first up-to-three 2-character slices of the document id
 * (docs/protocol.md, Work folders), so one folder never holds millions of entries.
 */
export function idChunks(documentId: string): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < Math.min(documentId.length, 6); i += 2) chunks.push(documentId.slice(i, i + 2));
  return chunks;
}

/**
 * The per-document folders of `getDirs` (docs/protocol.md, Work folders): `<TEMP>/03/d2/8a/<_id>` and
 * `<OUT>/03/d2/8a/<_id>`. Paths are joined as given (relative roots stay relative to the working directory,
 * like Python).
 */
export function documentDirs(roots: DirRoots, documentId: string, createInput = true, createOutput = true): DocumentDirs {
  if (!documentId) throw new TypeError('getDirs needs a document with an _id');
  const chunks = idChunks(documentId);
  const dirs = {
    TEMP_FOLDER: join(roots.TEMP_FOLDER, ...chunks, documentId),
    OUT_FOLDER: join(roots.OUT_FOLDER, ...chunks, documentId),
  };
  if (createInput) mkdirSync(dirs.TEMP_FOLDER, { recursive: true });
  if (createOutput) mkdirSync(dirs.OUT_FOLDER, { recursive: true });
  return dirs;
}

/**
 * Roots from config `PATHS`, overridden per task by `task.args.PATHS.TEMP_FOLDER/OUT_FOLDER`
 * (as W:dane-download-worker lets a submitter choose where a download lands).
 */
export function dirRoots(paths: Record<string, unknown> | undefined, taskArgs?: Record<string, unknown>): DirRoots {
  const override = taskArgs?.PATHS;
  const fromTask = typeof override === 'object' && override !== null ? (override as Record<string, unknown>) : {};
  const pick = (key: keyof DirRoots, fallback: string) => {
    const v = fromTask[key] ?? paths?.[key];
    return typeof v === 'string' && v !== '' ? v : fallback;
  };
  return { TEMP_FOLDER: pick('TEMP_FOLDER', './TEMP'), OUT_FOLDER: pick('OUT_FOLDER', './OUT') };
}
