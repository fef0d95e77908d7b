import { DaneDocument, pythonStr, DaneError, DocumentExistsError, Page, PageRequest, pageOfItems } from '@dane/protocol';
import { BulkOutcome, DocumentRepository, DocumentSearch } from '../store.port';
import { bulkItemError, failedItem } from './es-errors';
import { EsIndex } from './es-index';
import { refuseNul } from './nul-text';
import { WRITE_ORDER, searchPage } from './paging';
import { childrenOfDocuments, documentSearchQuery } from './queries';
import { REFRESH } from './refresh-policy';
import { DocumentSource, documentFromHit, documentSource, isDocumentSource } from './sources';

/** Passes of `_delete_by_query` while children changed under it (a conflicting task is skipped, not deleted). */
const MAX_DELETE_PASSES = 5;

function existsError(doc: DaneDocument): DocumentExistsError {
  return new DocumentExistsError(`A document with target.id \`${pythonStr(doc.target.id)}\`, and creator.id \`${pythonStr(doc.creator.id)}\` already exists`);
}

export class EsDocumentRepository implements DocumentRepository {
  constructor(private readonly index: EsIndex) {}

  /** Index with `op_type=create` (docs/protocol.md, Writes); a taken id is a 409. */
  async insert(doc: DaneDocument): Promise<void> {
    refuseNul(documentSource(doc), 'document');
    const created = await this.index.create(doc._id, documentSource(doc), { refresh: REFRESH.create, what: 'store the document' });
    if (!created) throw existsError(doc);
  }

  /** One `_bulk` of create actions (docs/protocol.md, Writes); a repeated id fails as a duplicate. */
  async insertMany(docs: DaneDocument[]): Promise<BulkOutcome<DaneDocument>[]> {
    const outcomes: BulkOutcome<DaneDocument>[] = docs.map((item) => ({ item }));
    const writable: number[] = [];
    docs.forEach((doc, i) => {
      try {
        refuseNul(documentSource(doc), 'document');
        writable.push(i);
      } catch (err) {
        outcomes[i].error = err as DaneError;
      }
    });
    const lines = writable.flatMap((i) => [{ create: { _id: docs[i]._id } }, documentSource(docs[i])]);
    const items = await this.index.bulk(lines, REFRESH.create, 'store documents');
    writable.forEach((i, k) => {
      const item = items[k];
      if (item.status === 409) outcomes[i].error = existsError(docs[i]);
      else if (item.status >= 300) outcomes[i].error = failedItem(bulkItemError(item, this.index.where, 'store the document'));
    });
    return outcomes;
  }

  async findById(id: string): Promise<DaneDocument | null> {
    const hit = await this.index.get<unknown>(id);
    return hit ? documentFromHit(hit) : null;
  }

  /** Realtime MGET; oldest first, as `_seq_no` orders documents. */
  async findByIds(ids: string[]): Promise<DaneDocument[]> {
    const hits = await this.index.mget<unknown>(ids);
    return hits
      .filter((h) => isDocumentSource(h._source))
      .sort((a, b) => (a._seq_no ?? 0) - (b._seq_no ?? 0))
      .map((h) => documentFromHit(h)!);
  }

  /** Q5 (`_source.excludes: [role]`, wildcards), oldest first, any page (or cursor) with its total. */
  async search(query: DocumentSearch, page: PageRequest): Promise<Page<DaneDocument>> {
    const body = { _source: { excludes: ['role'] }, query: documentSearchQuery(query.targetId, query.creatorId) };
    const { hits, total, next } = await searchPage<DocumentSource>(this.index, body, WRITE_ORDER, page, 'documents');
    return pageOfItems(
      hits.map((h) => documentFromHit(h)!),
      page,
      total,
      { next },
    );
  }

  async delete(id: string): Promise<boolean> {
    return (await this.deleteMany([id])) === 1;
  }

  /**
   * Documents first, then their tasks and results. In that order a task assigned concurrently
   * cannot outlive its document: either it was visible when the children were deleted, or its
   * insert sees the document gone afterwards and removes it (EsTaskRepository.insertMany).
   */
  async deleteMany(ids: string[]): Promise<number> {
    const documents = (await this.index.mget<unknown>(ids)).filter((h) => isDocumentSource(h._source)).map((h) => h._id);
    if (documents.length === 0) return 0;
    const items = await this.index.bulk(
      documents.map((_id) => ({ delete: { _id } })),
      REFRESH.delete,
      'delete documents',
    );
    const deleted = documents.filter((_, k) => items[k].status === 200);
    if (deleted.length > 0) await this.deleteChildren(deleted);
    return deleted.length;
  }

  private async deleteChildren(documentIds: string[]): Promise<void> {
    for (let pass = 0; pass < MAX_DELETE_PASSES; pass++) {
      const { conflicts } = await this.index.deleteByQuery(childrenOfDocuments(documentIds));
      if (conflicts === 0) return;
    }
  }
}
