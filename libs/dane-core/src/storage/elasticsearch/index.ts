export { createElasticsearchStore, elasticsearchClientOptions, openElasticsearchStore } from './create-store';
export { ELASTICSEARCH_STORE, ElasticsearchStoreModule } from './elasticsearch-store.module';
export { ElasticsearchStore } from './es-store';
export type { ElasticsearchSettings } from './es-settings';
export { DANE_MAPPING, EXTENSION_MAPPING, EXTENSION_FIELD, indexDefinition } from './index-layout';
export { dedupResultId } from './es-result.repository';
