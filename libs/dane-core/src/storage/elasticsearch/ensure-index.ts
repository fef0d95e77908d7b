import { Logger } from '@nestjs/common';
import { ConfigError } from '@dane/protocol';
import { describeFailure, errorTypeOf, isForbidden, reasonOf, statusOf } from './es-errors';
import { EsIndex } from './es-index';
import { DANE_MAPPING, EXTENSION_MAPPING, indexDefinition } from './index-layout';
import { refreshModeOf } from './refresh-policy';

interface FieldMapping {
  type?: string;
  format?: string;
  relations?: Record<string, unknown>;
  properties?: Record<string, FieldMapping>;
}

interface IndexInfo {
  mappings?: { properties?: Record<string, FieldMapping> };
  settings?: { index?: { number_of_shards?: string | number; refresh_interval?: string } };
}

/**
 * Why one primary shard: tasks and results are read, updated and deleted by id without their routing (by
 * Python — docs/protocol.md, Writes — and by us, as a reply only names the task id), and results are routed
 * by task id rather than by document. Only a single shard finds them all. It also makes `_seq_no` one
 * sequence, which orders documents and results by insertion.
 */
const SINGLE_SHARD = 'ELASTICSEARCH.SHARDS must be 1: tasks and results are read and updated by id without routing (docs/protocol.md, Writes)';

async function readIndex(index: EsIndex): Promise<IndexInfo | null> {
  const body = await index.call('read the index definition', () => index.client.indices.get<Record<string, IndexInfo>>({ index: index.name }, { ignore: [404] }));
  if (errorTypeOf(body) === 'index_not_found_exception') return null;
  // Keyed by the concrete index name (INDEX may be an alias).
  return Object.values(body)[0] ?? null;
}

/** Creates the index; false when another component (a Python worker, another replica) was quicker. */
async function createIndex(index: EsIndex, shards: number, replicas: number): Promise<boolean> {
  try {
    await index.client.indices.create({ index: index.name, body: indexDefinition(shards, replicas) });
    return true;
  } catch (err) {
    const body = (err as { body?: unknown }).body;
    if (statusOf(err) === 400 && errorTypeOf(body) === 'resource_already_exists_exception') return false;
    throw index.fail(err, 'create the index');
  }
}

function checkLayout(index: EsIndex, info: IndexInfo): void {
  const shards = Number(info.settings?.index?.number_of_shards ?? 1);
  if (shards !== 1) throw new ConfigError(`${index.where} has ${shards} primary shards; ${SINGLE_SHARD}`);
  const role = info.mappings?.properties?.role;
  const expected = DANE_MAPPING.properties.role;
  if (role?.type !== expected.type || JSON.stringify(role.relations) !== JSON.stringify(expected.relations)) {
    throw new ConfigError(`${index.where} exists but is not a DANE index: its \`role\` field is not the DANE join field (docs/protocol.md, Index and mapping)`);
  }
}

/** The `dane_node` fields the index lacks (or maps otherwise than EXTENSION_MAPPING): none when ours is in place. */
function missingExtensionFields(info: IndexInfo): string[] {
  const stored = info.mappings?.properties?.dane_node?.properties ?? {};
  return Object.entries(EXTENSION_MAPPING.dane_node.properties)
    .filter(([field, want]) => stored[field]?.type !== want.type || ('format' in want && stored[field]?.format !== want.format))
    .map(([field]) => field);
}

/**
 * Adds the `dane_node` mapping where the index lacks it (an index a Python component created, or one of an
 * older release); the same mapping again is a no-op, a clashing one a ConfigError. Sent only then: since ES 7.9
 * an explicit mapping update needs the `manage` privilege (`write` no longer allows it), which the
 * least-privilege role (docs/operations.md, Elasticsearch) does not have; refused, it is a ConfigError naming
 * the request an administrator sends once.
 */
async function addExtensionMapping(index: EsIndex, missing: string[]): Promise<void> {
  const body = { properties: EXTENSION_MAPPING };
  try {
    await index.client.indices.putMapping({ index: index.name, body });
  } catch (err) {
    const status = statusOf(err);
    if (status === 400) {
      const error = ((err as { body?: { error?: unknown } }).body ?? {}).error;
      throw new ConfigError(`${index.where} has a \`dane_node\` field we cannot use: ${describeFailure(status, error)}`);
    }
    if (isForbidden(err)) {
      throw new ConfigError(
        `${index.where} lacks our \`dane_node\` mapping (${missing.join(', ')}) and this user may not add it (403: ${reasonOf(err)}). ` +
          `Since Elasticsearch 7.9 that takes the \`manage\` index privilege: send once, as a user who has it, PUT /${index.name}/_mapping ${JSON.stringify(body)} ` +
          '(docs/operations.md, Elasticsearch)',
      );
    }
    throw index.fail(err, 'extend the index mapping');
  }
}

/**
 * How the index refreshes (refresh-policy.ts): `manual` when `index.refresh_interval` is -1 (or longer than a
 * request may wait), logged, as every write that must become searchable then refreshes itself.
 */
function useRefreshSetting(index: EsIndex, info: IndexInfo | null): void {
  const interval = info?.settings?.index?.refresh_interval;
  const mode = refreshModeOf(interval, Number(index.client.transport.requestTimeout));
  index.useRefreshMode(mode);
  if (mode === 'manual') {
    new Logger('ElasticsearchStore').warn(
      JSON.stringify({
        event: 'es_refresh_manual',
        index: index.name,
        refresh_interval: interval,
        effect: 'creations, state changes and claims are sent with refresh=true instead of refresh=wait_for (which would wait until the request timed out)',
      }),
    );
  }
}

/**
 * Makes sure the DANE index exists (docs/protocol.md, Index and mapping): created with SHARDS/REPLICAS and
 * the exact mapping when missing, accepted when a Python component created it first, and given our extension
 * mapping.
 */
export async function ensureIndex(index: EsIndex, shards: number, replicas: number): Promise<void> {
  let info = await readIndex(index);
  if (!info) {
    if (Number(shards) !== 1) throw new ConfigError(`${SINGLE_SHARD} (got ${shards})`);
    if (await createIndex(index, shards, replicas)) return;
    info = await readIndex(index);
    if (!info) throw new ConfigError(`${index.where} was reported to exist but cannot be read`);
  }
  checkLayout(index, info);
  useRefreshSetting(index, info);
  const missing = missingExtensionFields(info);
  if (missing.length > 0) await addExtensionMapping(index, missing);
}
