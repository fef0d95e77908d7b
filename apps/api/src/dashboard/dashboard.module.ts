import { DynamicModule, Module } from '@nestjs/common';
import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { AMQP_SETTINGS, AmqpSettings, WorkerQueueService } from '@dane/core';
import { ApiModuleOptions, brokerWiring } from '../api-module-options';
import { DashboardController } from './dashboard.controller';
import { DashboardEvents } from './dashboard-events.service';
import { DashboardFeed } from './dashboard-feed.service';
import { StoreReader } from './store-reader.service';

/**
 * The live dashboard at /manage. Reads the global DANE_STORE, like the rest of the API; with
 * `broker: true` it imports DaneBrokerModule and its stream carries the deployment's DANE-events,
 * without it the stream never emits.
 */
@Module({})
export class DashboardModule {
  static forRoot(options: ApiModuleOptions): DynamicModule {
    const { imports } = brokerWiring(options);
    const events = options.broker
      ? { provide: DashboardEvents, inject: [AmqpConnection, AMQP_SETTINGS], useFactory: (amqp: AmqpConnection, settings: AmqpSettings) => new DashboardEvents(amqp, settings) }
      : { provide: DashboardEvents, useFactory: () => new DashboardEvents() };
    return {
      module: DashboardModule,
      imports,
      controllers: [DashboardController],
      providers: [StoreReader, events, DashboardFeed, WorkerQueueService],
    };
  }
}
