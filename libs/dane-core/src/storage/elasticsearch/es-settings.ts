import type { ClientOptions } from '@elastic/elasticsearch';
import { ConfigError } from '@dane/protocol';

/** The ELASTICSEARCH section of the configuration (docs/protocol.md, Configuration), as the original names it. */
export interface ElasticsearchSettings {
  /** A list of host names (a single string is accepted, as DANE ≤ 0.2.8 had it). Full URLs are taken as they are. */
  HOST: string[] | string;
  PORT: number;
  USER?: string;
  PASSWORD?: string;
  SCHEME: string;
  /** Seconds. */
  TIMEOUT: number;
  MAX_RETRIES: number;
  INDEX: string;
  SHARDS: number;
  REPLICAS: number;
}

/** `scheme://host:port` for every configured host, like the Python client's host dicts (docs/protocol.md, Cluster requirements). */
function nodeUrls(settings: ElasticsearchSettings): string[] {
  const hosts = Array.isArray(settings.HOST) ? settings.HOST : [settings.HOST];
  if (hosts.length === 0 || hosts.some((h) => typeof h !== 'string' || h.trim() === '')) {
    throw new ConfigError('ELASTICSEARCH.HOST must list at least one host name');
  }
  return hosts.map((host) => (host.includes('://') ? host : `${settings.SCHEME}://${host}:${settings.PORT}`));
}

/** Where the index lives, for messages: hosts and index name, never the credentials. */
export function describeIndex(settings: ElasticsearchSettings): string {
  const hosts = nodeUrls(settings).map((url) => {
    try {
      const u = new URL(url);
      return `${u.hostname}:${u.port || (u.protocol === 'https:' ? 443 : 80)}`;
    } catch {
      return 'invalid host';
    }
  });
  return `Elasticsearch ${hosts.join(',')}/${settings.INDEX}`;
}

/**
 * Client options matching the original's connection (docs/protocol.md, Cluster requirements): basic auth with
 * USER/PASSWORD (always sent, as Python does; a cluster without security ignores it), TIMEOUT seconds per
 * request, MAX_RETRIES retries on connection failures and 502/503/504. The client retries reads only:
 * every write is sent with `maxRetries: 0` and resent by EsIndex, which knows how to tell an earlier
 * send that was applied from a real conflict (es-index.ts, NO_CLIENT_RETRY).
 */
export function clientOptions(settings: ElasticsearchSettings): ClientOptions {
  if (typeof settings.INDEX !== 'string' || settings.INDEX.trim() === '') throw new ConfigError('ELASTICSEARCH.INDEX must name an index');
  return {
    nodes: nodeUrls(settings),
    auth: settings.USER ? { username: settings.USER, password: settings.PASSWORD ?? '' } : undefined,
    requestTimeout: Number(settings.TIMEOUT) * 1000,
    maxRetries: Number(settings.MAX_RETRIES),
    name: 'dane-node',
  };
}
