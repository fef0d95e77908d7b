import { DynamicModule, INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createSqlStore } from '@dane/core/storage/sql';
import { DANE_STORE, DaneBrokerModule, DaneConfigModule, DaneStore, EventPublisher, withEvents } from '@dane/core';
import { ApiModule, configureApiApp } from '@dane/api';

/** Provides a store the test opened itself as the global DANE_STORE (what StorageModule.forRoot() does). */
@Module({})
class TestStoreModule {
  static with(store: DaneStore, extra: DynamicModule['providers'] = [], events = false): DynamicModule {
    // With a broker, the store publishes its writes' DANE-events as StorageModule.forRoot() makes it.
    const storeProvider = events
      ? { provide: DANE_STORE, inject: [EventPublisher], useFactory: (publisher: EventPublisher) => withEvents(store, publisher) }
      : { provide: DANE_STORE, useValue: store };
    return { module: TestStoreModule, global: true, providers: [storeProvider, ...extra], exports: [DANE_STORE, ...extraTokens(extra)] };
  }
}

function extraTokens(providers: DynamicModule['providers']): symbol[] {
  return (providers ?? []).map((p) => (p as { provide: symbol }).provide);
}

/**
 * The route tests predate API keys: their apps run with auth and rate limits off unless the test
 * turns them on (`env: AUTH_ON`, see auth.e2e-spec.ts).
 */
const OPEN_API_ENV: Readonly<Record<string, string>> = { DANE_AUTH__ENABLED: 'false', DANE_AUTH__RATE_LIMIT_PER_MINUTE: '0' };

export interface ApiTestAppOptions {
  /** DANE_<SECTION>__<KEY> overrides, e.g. { DANE_RABBITMQ__MANAGEMENT: 'false' }; they win over OPEN_API_ENV. */
  env?: Record<string, string>;
  /** Extra global providers, e.g. BROKER_HEALTH. */
  providers?: DynamicModule['providers'];
  /**
   * Imports DaneBrokerModule (RabbitMQ per the RABBITMQ section of `env`, as the api app does): the
   * store publishes DANE-events, the dashboard consumes them. Give each test its own
   * DANE_RABBITMQ__EXCHANGE / EVENTS_EXCHANGE / RESPONSE_QUEUE and delete them afterwards.
   */
  broker?: boolean;
}

/** The API on a store of the test's own, with a config isolated from the machine's (empty DANE_HOME and cwd). */
export async function createApiTestApp(store: DaneStore, options: ApiTestAppOptions = {}): Promise<INestApplication> {
  const home = mkdtempSync(join(tmpdir(), 'dane-api-test-'));
  const moduleRef = await Test.createTestingModule({
    imports: [
      DaneConfigModule.forRoot({ env: { HOME: home, DANE_HOME: home, ...OPEN_API_ENV, ...options.env }, cwd: home }),
      ...(options.broker ? [DaneBrokerModule] : []),
      TestStoreModule.with(store, options.providers, options.broker),
      ApiModule,
    ],
  }).compile();
  // Nest's own body parsers stay on: configureApiApp must take precedence over them.
  const app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
  configureApiApp(app, undefined, { logRequests: false });
  await app.init();
  return app;
}

export interface ApiTestApp {
  readonly store: DaneStore;
  readonly app: INestApplication;
  /** A supertest agent on the app's HTTP server. */
  http(): TestAgent;
}

type TestAgent = ReturnType<typeof request>;

/**
 * Registers beforeAll/afterAll hooks that open a PGlite store, start the API on it
 * (createApiTestApp) and close both again; read `app`/`store` inside a test.
 */
export function useApiTestApp(options: ApiTestAppOptions = {}): ApiTestApp {
  let store: DaneStore;
  let app: INestApplication;
  beforeAll(async () => {
    store = await createSqlStore({ kind: 'pglite' });
    app = await createApiTestApp(store, options);
  });
  afterAll(async () => {
    await app.close();
    await store.close();
  });
  return {
    get store() {
      return store;
    },
    get app() {
      return app;
    },
    http: () => request(app.getHttpServer()),
  };
}
