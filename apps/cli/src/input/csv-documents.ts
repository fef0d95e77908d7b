import { basename } from 'node:path';
import { InputError } from '../errors/input-error';
import { CsvSyntaxError, parseCsv } from './csv-records';
import { DocumentDefaults, SubmitItem, targetTypeProblem } from './submit-item';

const REQUIRED = ['target_id', 'url'];
const KNOWN = ['target_id', 'url', 'type', 'creator_id'];

/**
 * A CSV with the header `target_id,url,type[,creator_id]` (any order). `type` may be left out, or
 * empty on a line, when --type gives it; `creator_id` falls back to --creator-id. Every problem
 * names its line.
 */
export function csvDocuments(text: string, file: string, defaults: DocumentDefaults): SubmitItem[] {
  const name = basename(file);
  let records;
  try {
    records = parseCsv(text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) throw new InputError(name, `line ${err.line}`, err.message);
    throw err;
  }
  if (records.length === 0) throw new InputError(name, '', 'the file is empty (expected a header target_id,url,type[,creator_id])');
  const [header, ...rows] = records;
  const columns = header.fields.map((h) => h.trim().toLowerCase());
  const unknown = columns.filter((c) => !KNOWN.includes(c));
  if (unknown.length)
    throw new InputError(name, `line ${header.line}`, `unknown column ${unknown.map((c) => JSON.stringify(c)).join(', ')}; the header is target_id,url,type[,creator_id]`);
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  if (!columns.includes('type') && !defaults.type) missing.push('type');
  if (missing.length)
    throw new InputError(name, `line ${header.line}`, `missing column ${missing.join(', ')} (or give --type for every document); the header is target_id,url,type[,creator_id]`);

  return rows.map((row) => {
    const where = `line ${row.line}`;
    if (row.fields.length !== columns.length) {
      throw new InputError(name, where, `expected ${columns.length} fields (${columns.join(',')}), found ${row.fields.length}`);
    }
    const value = (column: string) => {
      const i = columns.indexOf(column);
      return i === -1 ? '' : row.fields[i].trim();
    };
    const targetId = value('target_id');
    const url = value('url');
    const type = defaults.type ?? value('type');
    if (!targetId) throw new InputError(name, where, 'target_id is empty');
    if (!url) throw new InputError(name, where, 'url is empty');
    const problem = targetTypeProblem(type);
    if (problem) throw new InputError(name, where, problem);
    const creatorId = value('creator_id') || defaults.creator.id;
    return {
      input: { target: { id: targetId, url, type }, creator: { id: creatorId, type: defaults.creator.type } },
      source: `${name} ${where}`,
    };
  });
}
