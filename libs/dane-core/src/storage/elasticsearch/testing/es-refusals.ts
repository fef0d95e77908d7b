import { INDEX } from './es-replies';
import { CannedReply } from './recording-elasticsearch';

/**
 * What Elasticsearch 7.17 answers a least-privilege user and a deleted index, field for field (issue 16,
 * items 1, 2 and 6). The user and role are those of docs/operations.md, Elasticsearch.
 */
const USER = 'dane';
const ROLE = 'dane_writer';

/** 403 for an index action the role does not grant, e.g. `indices:admin/mapping/put` (manage, all). */
export function forbidden(action: string, grantedBy: string[], index = INDEX): CannedReply {
  const reason = `action [${action}] is unauthorized for user [${USER}] with roles [${ROLE}] on indices [${index}], this action is granted by the index privileges [${grantedBy.join(',')}]`;
  const cause = { type: 'security_exception', reason };
  return { status: 403, body: { error: { root_cause: [cause], ...cause }, status: 403 } };
}

function indexNotFoundCause(index: string) {
  return { type: 'index_not_found_exception', reason: `no such index [${index}]`, 'resource.type': 'index_or_alias', 'resource.id': index, index_uuid: '_na_', index };
}

/** The `error` of a request on an index that does not exist (also inside mget docs). */
function indexNotFoundError(index: string) {
  const cause = indexNotFoundCause(index);
  return { root_cause: [cause], ...cause };
}

/** 404 for a GET, update, delete, search or by-query on a deleted index. */
export function indexGone(index = INDEX): CannedReply {
  return { status: 404, body: { error: indexNotFoundError(index), status: 404 } };
}

/** `_mget` on a deleted index: 200, each doc carrying the error instead of `found`. */
export function mgetIndexGone(ids: string[], index = INDEX): CannedReply {
  return { status: 200, body: { docs: ids.map((id) => ({ _index: index, _type: '_doc', _id: id, error: indexNotFoundError(index) })) } };
}

/** `_bulk` on a deleted index that is not created again (`action.auto_create_index` excludes it): 404 per item. */
export function bulkIndexGone(items: Array<{ action: string; id: string }>, index = INDEX): CannedReply {
  // Bulk items carry the exception itself, without root_cause.
  const error = indexNotFoundCause(index);
  return {
    status: 200,
    body: { took: 0, errors: true, items: items.map(({ action, id }) => ({ [action]: { _index: index, _type: '_doc', _id: id, status: 404, error } })) },
  };
}
