import { DynamicModule, INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DANE_STORE, DaneConfigModule, DaneStore, TRANSITIONS } from '@dane/core';
import { createSqlStore } from '@dane/core/storage/sql';
import { ApiModule, configureApiApp } from '@dane/api';

/** Provides the test's own store as the global DANE_STORE (what `StorageModule.forRoot({ events: false })` does). */
@Module({})
class OwnStoreModule {
  static with(store: DaneStore): DynamicModule {
    return { module: OwnStoreModule, global: true, providers: [{ provide: DANE_STORE, useValue: store }], exports: [DANE_STORE] };
  }
}

/** A real DANE API on 127.0.0.1:<random port>, PGlite in memory, config isolated from the machine's. */
export interface ApiServer {
  url: string;
  store: DaneStore;
  app: INestApplication;
  close(): Promise<void>;
}

export async function startApiServer(env: Record<string, string> = {}): Promise<ApiServer> {
  const home = mkdtempSync(join(tmpdir(), 'dane-client-test-'));
  const store = await createSqlStore({ kind: 'pglite' });
  const moduleRef = await Test.createTestingModule({
    // Auth and rate limits off unless `env` turns them on (the client and CLI tests predate API keys).
    imports: [
      DaneConfigModule.forRoot({ env: { HOME: home, DANE_HOME: home, DANE_AUTH__ENABLED: 'false', DANE_AUTH__RATE_LIMIT_PER_MINUTE: '0', ...env }, cwd: home }),
      OwnStoreModule.with(store),
      ApiModule.forRoot({ broker: false }),
    ],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
  configureApiApp(app, undefined, { logRequests: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    store,
    app,
    async close() {
      await app.close();
      await store.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/**
 * What dispatch and a worker's reply do to a task, as the store's own conditional writes: the
 * claim (runnable → 102), then the outcome the worker reported (102 → `outcome`).
 */
export async function workerCompletes(store: DaneStore, taskId: string, outcome: number, msg = 'Reported by the test worker'): Promise<void> {
  const claimed = await store.tasks.transition({ id: taskId, from: TRANSITIONS.claim.from, to: TRANSITIONS.claim.to, msg: 'Queued' });
  if (!claimed) throw new Error(`task ${taskId} was not runnable`);
  const done = await store.tasks.transition({ id: taskId, from: TRANSITIONS.complete.from, to: outcome, msg });
  if (!done) throw new Error(`task ${taskId} left 102 before the outcome was written`);
}
