export { ELASTICSEARCH_STORE, ElasticsearchStoreModule } from './elasticsearch-store.module';
export { ElasticsearchStore } from './es-store';
