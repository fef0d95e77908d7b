import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { LazyModuleLoader } from '@nestjs/core';
import { ConfigService } from '@nestjs/config';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { ConfigError } from '@dane/protocol';
import { ELASTICSEARCH_STORE, ElasticsearchStore, ElasticsearchStoreModule } from './elasticsearch';
import { createSqlStore } from './sql/create-store';
import { pgliteMemoryFromConfig } from './sql/pglite-client';
import { DANE_STORE, DaneStore } from './store.port';
import { EventPublisher } from '../events/event-publisher';
import { withEvents } from '../events/evented-store';
import { DaneBrokerModule } from '../broker/dane-broker.module';

/**
 * Builds the store chosen by STORAGE.TYPE (postgres | pglite | elasticsearch); PGlite's DATA_DIR is
 * relative to DANE.HOME_DIR. Elasticsearch comes from ElasticsearchStoreModule
 * (@nestjs/elasticsearch), loaded through `modules` only for that type.
 */
export async function storeFromConfig(config: ConfigService, modules: LazyModuleLoader): Promise<DaneStore> {
  const type = config.get<string>('STORAGE.TYPE');
  const logger = new Logger('Storage');
  if (type === 'postgres') {
    const url = config.get<string>('STORAGE.POSTGRES_URL')!;
    const store = await createSqlStore({ kind: 'postgres', url, poolSize: config.get<number>('STORAGE.POOL_SIZE'), ssl: postgresSsl(config) });
    logger.log(JSON.stringify({ event: 'store_ready', kind: 'postgres', host: safeHost(url) }));
    return store;
  }
  if (type === 'pglite') {
    const dir = config.get<string>('STORAGE.DATA_DIR')!;
    const dataDir = dir === ':memory:' ? undefined : isAbsolute(dir) ? dir : join(config.get<string>('DANE.HOME_DIR')!, dir);
    const store = await createSqlStore({ kind: 'pglite', dataDir, memory: pgliteMemoryFromConfig((key) => config.get(key)) });
    logger.log(JSON.stringify({ event: 'store_ready', kind: 'pglite', data_dir: dataDir ?? 'memory' }));
    return store;
  }
  if (type === 'elasticsearch') {
    const es = await modules.load(() => ElasticsearchStoreModule.forConfig());
    const store = es.get<ElasticsearchStore>(ELASTICSEARCH_STORE);
    logger.log(JSON.stringify({ event: 'store_ready', kind: 'elasticsearch', where: store.where }));
    return store;
  }
  throw new ConfigError(`STORAGE.TYPE ${JSON.stringify(type)} is not available in this build (use postgres, pglite or elasticsearch)`);
}

/** STORAGE.POSTGRES_SSL… → node-postgres `ssl` options; undefined leaves it to POSTGRES_URL (sslmode=…). */
export function postgresSsl(config: ConfigService): ConnectionOptions | undefined {
  if (config.get<boolean>('STORAGE.POSTGRES_SSL') !== true) return undefined;
  const file = (key: string) => {
    const path = config.get<string>(`STORAGE.${key}`);
    return path ? readFileSync(path) : undefined;
  };
  return {
    rejectUnauthorized: config.get<boolean>('STORAGE.POSTGRES_SSL_REJECT_UNAUTHORIZED') !== false,
    ca: file('POSTGRES_SSL_CA_FILE'),
    cert: file('POSTGRES_SSL_CERT_FILE'),
    key: file('POSTGRES_SSL_KEY_FILE'),
  };
}

function safeHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'invalid url';
  }
}

@Injectable()
class StoreCloser implements OnApplicationShutdown {
  constructor(@Inject(DANE_STORE) private readonly store: DaneStore) {}
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

export interface StorageModuleOptions {
  /**
   * true: every committed change is followed by its DANE-event — the module imports DaneBrokerModule
   * (the process's broker connection) and wraps the store with `withEvents`. false: the bare store,
   * no broker connection (an API without a broker, tools, tests).
   */
  events: boolean;
}

/**
 * Provides DANE_STORE, one store per process, chosen by STORAGE.TYPE. Global, on purpose and like
 * DaneConfigModule: the root module picks the store once with `forRoot` (a test puts its own in its
 * place) and every module of the process reads and writes that one; it is never injected
 * optionally. Whether the store publishes its writes' DANE-events is the root's explicit choice
 * (`events`), not whether some broker module happens to be in the process.
 */
@Module({})
export class StorageModule {
  static forRoot(options: StorageModuleOptions): DynamicModule {
    const store = options.events
      ? {
          provide: DANE_STORE,
          inject: [ConfigService, LazyModuleLoader, EventPublisher],
          useFactory: async (config: ConfigService, loader: LazyModuleLoader, events: EventPublisher) => withEvents(await storeFromConfig(config, loader), events),
        }
      : { provide: DANE_STORE, inject: [ConfigService, LazyModuleLoader], useFactory: storeFromConfig };
    return {
      module: StorageModule,
      global: true,
      imports: options.events ? [DaneBrokerModule] : [],
      providers: [store, StoreCloser],
      exports: [DANE_STORE],
    };
  }
}
