import { Client } from '@elastic/elasticsearch';
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
  const client = new Client(clientOptions(settings));
  const index = new EsIndex(client, settings.INDEX, describeIndex(settings));
  try {
    await ensureIndex(index, Number(settings.SHARDS), Number(settings.REPLICAS));
  } catch (err) {
    await client.close().catch(() => undefined);
    throw err;
  }
  return new ElasticsearchStore(index);
}
