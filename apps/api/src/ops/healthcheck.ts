import { Client as ElasticClient } from '@elastic/elasticsearch';
import { Client as PgClient } from 'pg';
import { amqpSettings, DaneConfig, loadConfig } from '@dane/protocol';
import { probeBroker } from '@dane/core/broker/probe-broker';
import { clientOptions, ElasticsearchSettings } from '@dane/core/storage/elasticsearch/es-settings';
import { within } from '@dane/core/util/within';

/**
 * The container health command of every DANE image (docker-compose.yml, deploy/k8s):
 *
 *   node dist/apps/api/src/ops/healthcheck.js --http http://127.0.0.1:5500/ready   # api: its own /ready
 *   node dist/apps/api/src/ops/healthcheck.js --store --broker                     # scheduler, results
 *   node dist/apps/api/src/ops/healthcheck.js --broker                             # workers
 *
 * Reads the same configuration as the app (DANE_<SECTION>__<KEY> environment, config files);
 * `--store` opens one short connection to the configured PostgreSQL (SELECT 1) or Elasticsearch
 * (ping) — an embedded PGlite belongs to its process and is not opened; `--broker` connects to
 * RabbitMQ and closes. Prints one JSON line; exit 0 when every check passed, 1 otherwise.
 */
const TIMEOUT_MS = 4000;

type Check = () => Promise<string>;

export async function runHealthcheck(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ ok: boolean; checks: Record<string, string> }> {
  const checks: Record<string, Check> = {};
  let config: DaneConfig | undefined;
  const cfg = () => (config ??= loadConfig({ env }).config);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--http') {
      const url = argv[++i];
      if (!url) throw new Error('--http needs a URL');
      checks.http = () => httpCheck(url);
    } else if (arg === '--store') checks.store = () => storeCheck(cfg());
    else if (arg === '--broker') checks.broker = () => brokerCheck(cfg());
    else throw new Error(`unknown argument ${arg} (use --http URL, --store, --broker)`);
  }
  if (Object.keys(checks).length === 0) throw new Error('nothing to check: give --http URL, --store and/or --broker');
  const results: Record<string, string> = {};
  let ok = true;
  for (const [name, check] of Object.entries(checks)) {
    try {
      results[name] = await within(check(), TIMEOUT_MS);
    } catch (err) {
      ok = false;
      results[name] = `down: ${err?.message ?? err}`;
    }
  }
  return { ok, checks: results };
}

async function httpCheck(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!res.ok) throw new Error(`HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
  return `up: HTTP ${res.status}`;
}

async function storeCheck(config: DaneConfig): Promise<string> {
  const type = String(config.STORAGE.TYPE);
  if (type === 'postgres') {
    const client = new PgClient({ connectionString: String(config.STORAGE.POSTGRES_URL), connectionTimeoutMillis: TIMEOUT_MS });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
    } finally {
      await client.end().catch(() => undefined);
    }
    return 'up: postgres';
  }
  if (type === 'elasticsearch') {
    const client = new ElasticClient({ ...clientOptions(config.ELASTICSEARCH as unknown as ElasticsearchSettings), maxRetries: 0, requestTimeout: TIMEOUT_MS });
    try {
      await client.ping();
    } finally {
      await client.close().catch(() => undefined);
    }
    return 'up: elasticsearch';
  }
  return `skipped: ${type} is embedded in its process`;
}

async function brokerCheck(config: DaneConfig): Promise<string> {
  await probeBroker(amqpSettings(config), TIMEOUT_MS);
  return 'up: rabbitmq';
}

if (require.main === module) {
  runHealthcheck(process.argv.slice(2)).then(
    ({ ok, checks }) => {
      process.stdout.write(JSON.stringify({ event: 'healthcheck', ok, checks }) + '\n');
      process.exit(ok ? 0 : 1);
    },
    (err) => {
      process.stderr.write(JSON.stringify({ event: 'healthcheck_failed', error: String(err?.message ?? err) }) + '\n');
      process.exit(1);
    },
  );
}
