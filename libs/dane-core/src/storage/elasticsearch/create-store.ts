import type { Client, ClientOptions } from '@elastic/elasticsearch';
import { ElasticsearchService } from '@nestjs/elasticsearch';
import { readFileSync } from 'node:fs';
import { ElasticsearchStore } from './es-store';
import { EsIndex } from './es-index';
import { ElasticsearchSettings, clientOptions, describeIndex } from './es-settings';
import { ensureIndex } from './ensure-index';

/**
 * Everything the client is built with, from the ELASTICSEARCH section: nodes, auth, timeout and
 * retries (clientOptions) plus the TLS trust of ELASTICSEARCH.CA_FILE. The options
 * ElasticsearchModule.registerAsync's factory returns (elasticsearch-store.module.ts).
 */
export function elasticsearchClientOptions(settings: ElasticsearchSettings): ClientOptions {
  return { ...clientOptions(settings), ...tlsOptions(settings) };
}

/**
 * Opens the Elasticsearch store on a client it then owns (in the apps the ElasticsearchService
 * injected from @nestjs/elasticsearch): creates the DANE index (or accepts the one a Python
 * component created) before anything is written. An unreachable cluster is a
 * StorageUnavailableError naming it; an unusable index a ConfigError. On failure the client is closed.
 */
export async function openElasticsearchStore(client: Client, settings: ElasticsearchSettings): Promise<ElasticsearchStore> {
  // Writes are resent by EsIndex (as often as the client retries reads), never by the client: issue 16, item 3.
  const index = new EsIndex(client, settings.INDEX, describeIndex(settings), { resends: Number(settings.MAX_RETRIES) });
  try {
    await ensureIndex(index, Number(settings.SHARDS), Number(settings.REPLICAS));
  } catch (err) {
    await client.close().catch(() => undefined);
    throw err;
  }
  return new ElasticsearchStore(index);
}

/**
 * The store outside a Nest container (tests, the live suite): the same ElasticsearchService
 * ElasticsearchModule would provide, built from the same options.
 */
export function createElasticsearchStore(settings: ElasticsearchSettings): Promise<ElasticsearchStore> {
  return openElasticsearchStore(new ElasticsearchService(elasticsearchClientOptions(settings)), settings);
}

/** ELASTICSEARCH.CA_FILE: the CA of an https cluster (SCHEME https); the system's CAs without it. */
function tlsOptions(settings: ElasticsearchSettings & { CA_FILE?: string }): Pick<ClientOptions, 'ssl'> {
  return settings.CA_FILE ? { ssl: { ca: readFileSync(settings.CA_FILE), rejectUnauthorized: true } } : {};
}
