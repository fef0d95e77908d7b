import { Injectable, OnApplicationShutdown, Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DaneConfig } from '../config/defaults';
import { AmqpConnection } from './amqp-connection';
import { AmqpSettings, amqpSettings } from './amqp-settings';

/**
 * Providers of one app's own AMQP connection (each app has its own, so one consumer's trouble does not
 * take the others down): its settings under `settingsToken`, the connection under `connectionToken`,
 * closed at shutdown. The connection is not awaited: an app starts while the broker is down and
 * connects when it comes up.
 */
export function amqpConnectionProviders(name: string, connectionToken: symbol, settingsToken: symbol): Provider[] {
  @Injectable()
  class Closer implements OnApplicationShutdown {
    constructor(private readonly connection: AmqpConnection) {}
    async onApplicationShutdown(): Promise<void> {
      await this.connection.close();
    }
  }
  return [
    {
      provide: settingsToken,
      inject: [ConfigService],
      useFactory: (config: ConfigService): AmqpSettings => amqpSettings({ RABBITMQ: config.get('RABBITMQ')! } as DaneConfig),
    },
    {
      provide: connectionToken,
      inject: [settingsToken],
      useFactory: (settings: AmqpSettings): AmqpConnection => {
        const connection = new AmqpConnection(settings, name);
        void connection.connect();
        return connection;
      },
    },
    { provide: `${name}-broker-closer`, inject: [connectionToken], useFactory: (c: AmqpConnection) => new Closer(c) },
  ];
}
