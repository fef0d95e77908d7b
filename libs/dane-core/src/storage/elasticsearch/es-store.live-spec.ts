import { Client } from '@elastic/elasticsearch';
import { randomBytes } from 'node:crypto';
import { describeStoreContract } from '../sql/store-contract';
import { createElasticsearchStore } from './create-store';
import { ElasticsearchSettings } from './es-settings';

/**
 * The shared store contract against a real Elasticsearch 7.x. Not part of the default test run (its
 * name does not match the jest testRegex); run it with
 *   ELASTICSEARCH_URL=http://localhost:9200 npx jest --testRegex 'live-spec\.ts$'
 * Credentials may be given in the URL (http://elastic:secret@host:9200). Each run uses an index of
 * its own, deleted afterwards.
 */
const url = process.env.ELASTICSEARCH_URL;
if (!url) throw new Error('es-store.live-spec.ts needs ELASTICSEARCH_URL (e.g. http://localhost:9200)');

const target = new URL(url);
const index = `dane-contract-${process.pid}-${randomBytes(3).toString('hex')}`;

function liveSettings(): ElasticsearchSettings {
  return {
    HOST: [`${target.protocol}//${target.host}`],
    PORT: Number(target.port || 9200),
    USER: decodeURIComponent(target.username) || undefined,
    PASSWORD: decodeURIComponent(target.password),
    SCHEME: target.protocol.replace(':', ''),
    TIMEOUT: 30,
    MAX_RETRIES: 0,
    INDEX: index,
    SHARDS: 1,
    // A single-node test cluster has nowhere to put a replica.
    REPLICAS: 0,
  };
}

afterAll(async () => {
  const client = new Client({ node: url });
  await client.indices.delete({ index }, { ignore: [404] });
  await client.close();
});

describeStoreContract('Elasticsearch', () => createElasticsearchStore(liveSettings()));
