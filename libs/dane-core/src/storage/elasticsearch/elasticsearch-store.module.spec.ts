import { ElasticsearchService } from '@nestjs/elasticsearch';
import { Test, TestingModule } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DaneConfigModule } from '../../config/dane-config.module';
import { DANE_STORE, DaneStore } from '../store.port';
import { StorageModule } from '../storage.module';
import { ElasticsearchStore } from './es-store';
import { INDEX, acknowledged, indexDefinition } from './testing/es-replies';
import { STORED_MAPPING } from './testing/recorded-store';
import { RecordingElasticsearch } from './testing/recording-elasticsearch';

/** StorageModule with STORAGE.TYPE elasticsearch: the client is @nestjs/elasticsearch's, built from the layered config. */
describe('StorageModule and ElasticsearchModule', () => {
  let home: string;
  let app: TestingModule | undefined;

  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'dane-es-module-'));
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    rmSync(home, { recursive: true, force: true });
  });

  async function start(env: Record<string, string>): Promise<TestingModule> {
    const full = { DANE_HOME: home, ...env };
    app = await Test.createTestingModule({ imports: [DaneConfigModule.forRoot({ env: full, cwd: home }), StorageModule.forRoot({ events: false })] }).compile();
    await app.init();
    return app;
  }

  it('registers ElasticsearchModule from ELASTICSEARCH config and opens the store on the injected ElasticsearchService', async () => {
    const es = await new RecordingElasticsearch().start();
    try {
      es.on('GET', `/${INDEX}`, indexDefinition(STORED_MAPPING));
      es.on('PUT', `/${INDEX}/_mapping`, acknowledged());
      const started = await start({
        DANE_STORAGE__TYPE: 'elasticsearch',
        DANE_ELASTICSEARCH__HOST: `['${es.url}']`,
        DANE_ELASTICSEARCH__INDEX: INDEX,
        DANE_ELASTICSEARCH__USER: 'dane',
        DANE_ELASTICSEARCH__PASSWORD: 's3cret',
        DANE_ELASTICSEARCH__TIMEOUT: '7',
        DANE_ELASTICSEARCH__MAX_RETRIES: '0',
      });
      const store = started.get<DaneStore>(DANE_STORE);
      expect(store).toBeInstanceOf(ElasticsearchStore);
      const client = started.get(ElasticsearchService, { strict: false });
      expect(client).toBeInstanceOf(ElasticsearchService);
      // The store talks through that very client (ElasticsearchStore → EsIndex → client).
      expect((store as unknown as { index: { client: unknown } }).index.client).toBe(client);
      const transport = client.transport as unknown as { requestTimeout: number; maxRetries: number };
      expect(transport.requestTimeout).toBe(7000);
      expect(transport.maxRetries).toBe(0);
      const opened = es.calls.find((r) => r.method === 'GET' && r.path === `/${INDEX}`);
      expect(opened?.headers.authorization).toBe(`Basic ${Buffer.from('dane:s3cret').toString('base64')}`);
    } finally {
      await app?.close();
      app = undefined;
      await es.stop();
    }
  });

  it('does not register ElasticsearchModule (nor read ES config) for the other stores', async () => {
    // An ES host nothing listens on: opening a client and the index there would fail start-up.
    const started = await start({
      DANE_STORAGE__TYPE: 'pglite',
      DANE_STORAGE__DATA_DIR: "':memory:'",
      DANE_ELASTICSEARCH__HOST: "['http://127.0.0.1:9']",
      DANE_ELASTICSEARCH__MAX_RETRIES: '0',
    });
    expect(started.get<DaneStore>(DANE_STORE).kind).toBe('pglite');
    expect(() => started.get(ElasticsearchService, { strict: false })).toThrow();
  });
});
