import { Client, ClientOptions } from '@elastic/elasticsearch';
import { readFileSync } from 'node:fs';
import { ElasticsearchStore } from './es-store';
import { EsIndex } from './es-index';
import { ElasticsearchSettings, clientOptions, describeIndex } from './es-settings';
import { ensureIndex } from './ensure-index';

/**
 * Opens the Elasticsearch store: connects, and creates the DANE index (or accepts the one a Python
 * component created) before anything is written. An unreachable cluster is a
 * StorageUnavailableError naming it; an unusable index a ConfigError.
 */
export async function createElasticsearchStore(settings: ElasticsearchSettings): Promise<ElasticsearchStore> {
  const client = new Client({ ...clientOptions(settings), ...tlsOptions(settings) });
  const index = new EsIndex(client, settings.INDEX, describeIndex(settings));
  try {
    await ensureIndex(index, Number(settings.SHARDS), Number(settings.REPLICAS));
  } catch (err) {
    await client.close().catch(() => undefined);
    throw err;
  }
  return new ElasticsearchStore(index);
}

/** ELASTICSEARCH.CA_FILE: the CA of an https cluster (SCHEME https); the system's CAs without it. */
function tlsOptions(settings: ElasticsearchSettings & { CA_FILE?: string }): Pick<ClientOptions, 'ssl'> {
  return settings.CA_FILE ? { ssl: { ca: readFileSync(settings.CA_FILE), rejectUnauthorized: true } } : {};
}
