import { basename } from 'node:path';
import { InputError } from '../errors/input-error';
import { jsonErrorOffset, lineAndColumn } from './json-error-offset';
import { DocumentDefaults, SubmitItem, targetTypeProblem } from './submit-item';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function whereInText(text: string): string {
  const offset = jsonErrorOffset(text);
  return offset === undefined ? '' : lineAndColumn(text, offset);
}

/** An element: a DANE document `{target, creator?}` or a flat `{target_id, url, type, creator_id?}`. */
function documentOf(element: unknown, defaults: DocumentDefaults, problem: (text: string) => never): SubmitItem['input'] {
  if (!isObject(element)) problem('expected an object with target (or target_id, url, type)');
  const creatorOf = (id: unknown, type: unknown) => ({
    id: id === undefined || id === null || id === '' ? defaults.creator.id : (id as string),
    type: (type as string) ?? defaults.creator.type,
  });
  if (isObject(element.target)) {
    const target = { ...element.target };
    if (defaults.type) target.type = defaults.type;
    if (target.id === undefined || target.id === null || target.id === '') problem('target.id is missing');
    if (typeof target.url !== 'string' || target.url === '') problem('target.url is missing');
    const typeProblem = targetTypeProblem(target.type);
    if (typeProblem) problem(typeProblem);
    const creator = isObject(element.creator) ? { ...element.creator, ...creatorOf(element.creator.id, element.creator.type) } : creatorOf(undefined, undefined);
    return { target: target as SubmitItem['input']['target'], creator };
  }
  const type = defaults.type ?? element.type;
  if (element.target_id === undefined || element.target_id === null || element.target_id === '') problem('target_id (or target.id) is missing');
  if (typeof element.url !== 'string' || element.url === '') problem('url is missing');
  const typeProblem = targetTypeProblem(type);
  if (typeProblem) problem(typeProblem);
  return { target: { id: element.target_id as string, url: element.url, type: type as string }, creator: creatorOf(element.creator_id, undefined) };
}

/** A JSON list of documents (`.json`), or one document per line (`.jsonl`, `.ndjson`). */
export function jsonDocuments(text: string, file: string, defaults: DocumentDefaults, lines: boolean): SubmitItem[] {
  const name = basename(file);
  if (lines) {
    const items: SubmitItem[] = [];
    text.split(/\r?\n/).forEach((raw, i) => {
      if (raw.trim() === '') return;
      const where = `line ${i + 1}`;
      let element: unknown;
      try {
        element = JSON.parse(raw);
      } catch (err) {
        throw new InputError(name, where, `not JSON: ${(err as Error).message}`);
      }
      items.push({
        input: documentOf(element, defaults, (p) => {
          throw new InputError(name, where, p);
        }),
        source: `${name} ${where}`,
      });
    });
    return items;
  }
  const body = text.replace(/^\uFEFF/, '');
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (err) {
    throw new InputError(name, whereInText(body), `not JSON: ${(err as Error).message.replace(/\s+/g, ' ')}`);
  }
  if (!Array.isArray(data)) throw new InputError(name, '', 'expected a JSON list of documents');
  return data.map((element, i) => {
    const where = `item ${i + 1}`;
    return {
      input: documentOf(element, defaults, (p) => {
        throw new InputError(name, where, p);
      }),
      source: `${name} ${where}`,
    };
  });
}
