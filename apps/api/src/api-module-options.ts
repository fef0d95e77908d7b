import type { DynamicModule, Provider } from '@nestjs/common';
import { BROKER_HEALTH, BrokerHealth, DaneBrokerModule } from '@dane/core';

/** `ApiModule.forRoot(options)`: whether the API holds a broker connection, chosen by the host. */
export interface ApiModuleOptions {
  /**
   * true: the API imports DaneBrokerModule (the process's one connection, shared with the scheduler
   * and results modules in single-machine mode): the dashboard streams DANE-events, `/metrics` counts
   * the server's queues over it when RABBITMQ.MANAGEMENT is off, `/ready` checks it. false: no RabbitMQ
   * connection at all; no live dashboard events, `/ready` reports the message queue "not connected".
   */
  broker: boolean;
  /** Without a broker only: what `/ready` asks about the message queue instead (tests). */
  brokerHealth?: BrokerHealth;
}

/**
 * What a module of the API imports and binds for the broker, per the host's choice: DaneBrokerModule
 * (AmqpConnection, AMQP_SETTINGS, BROKER_HEALTH), or BROKER_HEALTH bound explicitly to `brokerHealth`
 * or null — never an optional injection.
 */
export function brokerWiring(options: ApiModuleOptions): { imports: NonNullable<DynamicModule['imports']>; providers: Provider[] } {
  if (options.broker && options.brokerHealth) throw new Error('ApiModule.forRoot: brokerHealth is for an API without a broker (broker: false)');
  return options.broker ? { imports: [DaneBrokerModule], providers: [] } : { imports: [], providers: [{ provide: BROKER_HEALTH, useValue: options.brokerHealth ?? null }] };
}
