import { DynamicModule, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ElasticsearchModule, ElasticsearchService } from '@nestjs/elasticsearch';
import { elasticsearchClientOptions, openElasticsearchStore } from './create-store';
import { ElasticsearchSettings } from './es-settings';

/** The opened ElasticsearchStore, inside ElasticsearchStoreModule. */
export const ELASTICSEARCH_STORE = Symbol('ELASTICSEARCH_STORE');

function settingsOf(config: ConfigService): ElasticsearchSettings {
  return config.get<ElasticsearchSettings>('ELASTICSEARCH')!;
}

/**
 * The Elasticsearch store the Nest way: `ElasticsearchModule.registerAsync` builds the client
 * (ElasticsearchService, a 7.17 Client) from the layered ELASTICSEARCH config, and the store
 * factory gets it injected. StorageModule loads this module lazily, and only when
 * STORAGE.TYPE is elasticsearch, so the other stores never build a client or read ES config.
 */
@Module({})
export class ElasticsearchStoreModule {
  static forConfig(): DynamicModule {
    return {
      module: ElasticsearchStoreModule,
      imports: [
        ElasticsearchModule.registerAsync({
          inject: [ConfigService],
          useFactory: (config: ConfigService) => elasticsearchClientOptions(settingsOf(config)),
        }),
      ],
      providers: [
        {
          provide: ELASTICSEARCH_STORE,
          inject: [ElasticsearchService, ConfigService],
          useFactory: (client: ElasticsearchService, config: ConfigService) => openElasticsearchStore(client, settingsOf(config)),
        },
      ],
      exports: [ELASTICSEARCH_STORE],
    };
  }
}
