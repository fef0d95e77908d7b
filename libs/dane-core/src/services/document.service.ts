import { Inject, Injectable } from '@nestjs/common';
import { DaneError, DocumentExistsError, NotFoundError, ValidationError, createDocument, DaneDocument, pythonStr, MAX_PAGE_SIZE, Page, PageRequest } from '@dane/protocol';
import { DANE_STORE, DaneStore } from '../storage/store.port';
import { documentNotFound } from './not-found';

/** One element of a bulk registration that was not stored (docs/protocol.md, Duplicates and bulk failures). */
export interface DocumentFailure {
  /** Position of the element in the request list. */
  index: number;
  /** The document as built (with its `_id`), or null when the element was not a valid document. */
  document: DaneDocument | null;
  /** The element as sent when it was invalid (document null), else null. */
  invalid: unknown;
  error: string;
}

export interface DocumentBulkOutcome {
  success: DaneDocument[];
  failed: DocumentFailure[];
}

export interface DocumentSearchQuery {
  targetId?: string;
  creatorId?: string;
}

function existsMessage(doc: DaneDocument): string {
  return `A document with target.id \`${pythonStr(doc.target.id)}\`, and creator.id \`${pythonStr(doc.creator.id)}\` already exists`;
}

function failureText(err: unknown): string {
  if (err instanceof ValidationError) return err.message;
  if (err instanceof DaneError) return `[${err.status}] ${err.message}`;
  return String(err);
}

/** Registration, lookup, search and deletion of documents. */
@Injectable()
export class DocumentService {
  constructor(@Inject(DANE_STORE) private readonly store: DaneStore) {}

  /** Create-only: the same target.id + creator.id twice is a 409 with the original's text (docs/protocol.md, Document id). */
  async register(input: unknown): Promise<DaneDocument> {
    const doc = createDocument(input);
    try {
      await this.store.documents.insert(doc);
    } catch (err) {
      if (err instanceof DocumentExistsError) throw new DocumentExistsError(existsMessage(doc));
      throw err;
    }
    return doc;
  }

  /**
   * Bulk registration: elements are document objects or JSON strings encoding one (dane-workflows sends
   * strings; docs/protocol.md, Document routes). Every element that is not stored is reported in `failed` —
   * unlike the original, which skipped elements with an `_id` silently.
   */
  async registerMany(input: unknown): Promise<DocumentBulkOutcome> {
    if (!Array.isArray(input)) throw new ValidationError('Invalid documents format: expected a JSON list of documents');
    const failed: DocumentFailure[] = [];
    const candidates: { index: number; doc: DaneDocument }[] = [];
    const seen = new Set<string>();
    input.forEach((element, index) => {
      try {
        const doc = createDocument(typeof element === 'string' ? parseElement(element) : element);
        if (seen.has(doc._id)) {
          failed.push({ index, document: doc, invalid: null, error: existsMessage(doc) });
        } else {
          seen.add(doc._id);
          candidates.push({ index, doc });
        }
      } catch (err) {
        if (!(err instanceof DaneError)) throw err;
        failed.push({ index, document: null, invalid: element, error: failureText(err) });
      }
    });
    const outcomes = await this.store.documents.insertMany(candidates.map((c) => c.doc));
    const success: DaneDocument[] = [];
    outcomes.forEach((outcome, i) => {
      const { index, doc } = candidates[i];
      if (!outcome.error) success.push(doc);
      else if (outcome.error instanceof DocumentExistsError) failed.push({ index, document: doc, invalid: null, error: existsMessage(doc) });
      else failed.push({ index, document: doc, invalid: null, error: failureText(outcome.error) });
    });
    failed.sort((a, b) => a.index - b.index);
    return { success, failed };
  }

  async get(id: string): Promise<DaneDocument> {
    const doc = await this.store.documents.findById(id);
    if (!doc) throw documentNotFound(id);
    return doc;
  }

  /** All of the given documents, in the order asked; any unknown id is a 404 naming it. */
  async getMany(ids: readonly string[]): Promise<DaneDocument[]> {
    const unique = checkIdList(ids, 'doc');
    const found = new Map((await this.store.documents.findByIds(unique)).map((d) => [d._id, d]));
    const missing = unique.filter((id) => !found.has(id));
    if (missing.length === 1) throw documentNotFound(missing[0]);
    if (missing.length > 1) throw new NotFoundError(`No documents with ids ${missing.map((id) => `\`${id}\``).join(', ')} found`);
    return unique.map((id) => found.get(id)!);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.store.documents.delete(id))) throw documentNotFound(id);
  }

  /** Deletes the documents that exist (unknown ids are ignored, as in the original); returns how many. */
  async deleteMany(ids: readonly string[]): Promise<number> {
    return this.store.documents.deleteMany(checkIdList(ids, 'docs'));
  }

  /** Wildcard search on target.id / creator.id (`*`, `?`; docs/protocol.md, Creator and search routes). */
  async search(query: DocumentSearchQuery, page: PageRequest): Promise<Page<DaneDocument>> {
    return this.store.documents.search({ targetId: query.targetId, creatorId: query.creatorId }, page);
  }

  /** The documents of one creator (a batch; docs/architecture.md, Weaknesses of the original, item 10). */
  async ofCreator(creatorId: string, page: PageRequest): Promise<Page<DaneDocument>> {
    return this.store.documents.search({ creatorId }, page);
  }
}

function parseElement(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`Invalid document format: the string element is not JSON (${(err as Error).message})`);
  }
}

/** A list of ids from a query: at least one, at most one page worth, duplicates dropped. */
function checkIdList(ids: readonly string[], parameter: string): string[] {
  const unique = [...new Set(ids.filter((id) => id !== ''))];
  if (unique.length === 0) throw new ValidationError(`${parameter} is required: give one or more document ids (?${parameter}=<id>)`);
  if (unique.length > MAX_PAGE_SIZE) throw new ValidationError(`${parameter} lists ${unique.length} ids; at most ${MAX_PAGE_SIZE} per request`);
  return unique;
}
