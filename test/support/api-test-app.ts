import { DynamicModule, INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createSqlStore } from '@dane/core/storage/sql';
import { BrokerHealth, DANE_STORE, DaneBrokerModule, DaneConfigModule, DaneStore, EventPublisher, withEvents } from '@dane/core';
import { ApiModule, configureApiApp } from '@dane/api';

/**
 * Provides a store the test opened itself as the global DANE_STORE, in the place of
 * StorageModule.forRoot: with `events`, it imports DaneBrokerModule and publishes its writes'
 * DANE-events as `StorageModule.forRoot({ events: true })` does.
 */
@Module({})
class TestStoreModule {
  static with(store: DaneStore, events: boolean): DynamicModule {
    const storeProvider = events
      ? { provide: DANE_STORE, inject: [EventPublisher], useFactory: (publisher: EventPublisher) => withEvents(store, publisher) }
      : { provide: DANE_STORE, useValue: store };
    return { module: TestStoreModule, global: true, imports: events ? [DaneBrokerModule] : [], providers: [storeProvider], exports: [DANE_STORE] };
  }
}

/**
 * The route tests predate API keys: their apps run with auth and rate limits off unless the test
 * turns them on (`env: AUTH_ON`, see auth.e2e-spec.ts).
 */
const OPEN_API_ENV: Readonly<Record<string, string>> = { DANE_AUTH__ENABLED: 'false', DANE_AUTH__RATE_LIMIT_PER_MINUTE: '0' };

export interface ApiTestAppOptions {
  /** DANE_<SECTION>__<KEY> overrides, e.g. { DANE_RABBITMQ__MANAGEMENT: 'false' }; they win over OPEN_API_ENV. */
  env?: Record<string, string>;
  /** Without `broker`: what `/ready` asks about the message queue (ApiModuleOptions.brokerHealth). */
  brokerHealth?: BrokerHealth;
  /**
   * `ApiModule.forRoot({ broker: true })` and a store publishing its writes' events (RabbitMQ per the
   * RABBITMQ section of `env`, as the api app does): the dashboard consumes them. Without it the app
   * never connects to RabbitMQ. Give each test its own
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
      TestStoreModule.with(store, !!options.broker),
      ApiModule.forRoot({ broker: !!options.broker, brokerHealth: options.brokerHealth }),
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
