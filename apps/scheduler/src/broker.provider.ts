import { Inject, Injectable, OnApplicationShutdown, Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AmqpConnection, AmqpSettings, DaneConfig, amqpSettings } from '@dane/core';
import { BROKER_HEALTH, BrokerHealth } from '@dane/core/services/broker-health';

/** The scheduler's own connection (dispatch publishes, replies are consumed on it). */
export const SCHEDULER_BROKER = Symbol('SCHEDULER_BROKER');
export const SCHEDULER_AMQP_SETTINGS = Symbol('SCHEDULER_AMQP_SETTINGS');

@Injectable()
export class SchedulerBrokerCloser implements OnApplicationShutdown {
  constructor(@Inject(SCHEDULER_BROKER) private readonly connection: AmqpConnection) {}

  async onApplicationShutdown(): Promise<void> {
    await this.connection.close();
  }
}

export const schedulerBrokerProviders: Provider[] = [
  {
    provide: SCHEDULER_AMQP_SETTINGS,
    inject: [ConfigService],
    useFactory: (config: ConfigService): AmqpSettings => amqpSettings({ RABBITMQ: config.get('RABBITMQ')! } as DaneConfig),
  },
  {
    provide: SCHEDULER_BROKER,
    inject: [SCHEDULER_AMQP_SETTINGS],
    useFactory: (settings: AmqpSettings): AmqpConnection => {
      const connection = new AmqpConnection(settings, 'scheduler');
      // Not awaited: the scheduler starts while the broker is down and connects when it comes up.
      void connection.connect();
      return connection;
    },
  },
  {
    provide: BROKER_HEALTH,
    inject: [SCHEDULER_BROKER],
    useFactory: (connection: AmqpConnection): BrokerHealth => ({ check: async () => connection.connected }),
  },
  SchedulerBrokerCloser,
];
