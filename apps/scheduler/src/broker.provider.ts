import { Provider } from '@nestjs/common';
import { AmqpConnection, amqpConnectionProviders } from '@dane/core';
import { BROKER_HEALTH, BrokerHealth } from '@dane/core/services/broker-health';

/** The scheduler's own connection (dispatch publishes, replies are consumed on it). */
export const SCHEDULER_BROKER = Symbol('SCHEDULER_BROKER');
export const SCHEDULER_AMQP_SETTINGS = Symbol('SCHEDULER_AMQP_SETTINGS');

export const schedulerBrokerProviders: Provider[] = [
  ...amqpConnectionProviders('scheduler', SCHEDULER_BROKER, SCHEDULER_AMQP_SETTINGS),
  {
    provide: BROKER_HEALTH,
    inject: [SCHEDULER_BROKER],
    useFactory: (connection: AmqpConnection): BrokerHealth => ({ check: async () => connection.connected }),
  },
];
