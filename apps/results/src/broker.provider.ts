import { Inject, Injectable, OnApplicationShutdown, Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AmqpConnection, AmqpSettings, DaneConfig, amqpSettings } from '@dane/core';

/** The results app's own connection: its consumer must not share a fate with the scheduler's. */
export const RESULTS_BROKER = Symbol('RESULTS_BROKER');
export const RESULTS_AMQP_SETTINGS = Symbol('RESULTS_AMQP_SETTINGS');

@Injectable()
export class ResultsBrokerCloser implements OnApplicationShutdown {
  constructor(@Inject(RESULTS_BROKER) private readonly connection: AmqpConnection) {}

  async onApplicationShutdown(): Promise<void> {
    await this.connection.close();
  }
}

export const resultsBrokerProviders: Provider[] = [
  {
    provide: RESULTS_AMQP_SETTINGS,
    inject: [ConfigService],
    useFactory: (config: ConfigService): AmqpSettings => amqpSettings({ RABBITMQ: config.get('RABBITMQ')! } as DaneConfig),
  },
  {
    provide: RESULTS_BROKER,
    inject: [RESULTS_AMQP_SETTINGS],
    useFactory: (settings: AmqpSettings): AmqpConnection => {
      const connection = new AmqpConnection(settings, 'results');
      // Not awaited: starts while the broker is down, connects when it comes up.
      void connection.connect();
      return connection;
    },
  },
  ResultsBrokerCloser,
];
