import { Inject, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AmqpConnection, RabbitMQModule } from '@golevelup/nestjs-rabbitmq';
import { createHash } from 'node:crypto';
import { DaneConfig, AmqpSettings, amqpSettings, describeBroker, amqpSocketOf, corkPerTick } from '@dane/protocol';
import { EventPublisher } from '../events/event-publisher';
import { TaskMetricsModule } from '../metrics/metrics.module';
import { BROKER_HEALTH, BrokerHealth } from '../services/broker-health';
import { AMQP_SETTINGS } from './broker.tokens';
import { rabbitMqConfig } from './rabbitmq-config';

function settingsFrom(config: ConfigService): AmqpSettings {
  return amqpSettings({ RABBITMQ: config.get('RABBITMQ')! } as DaneConfig);
}

/**
 * Which deployment a connection belongs to: a hash of where its store lives. Replicas of one
 * deployment share it; a second deployment on the same broker has another (see ResponseQueueGuard).
 */
export function deploymentId(config: ConfigService): string {
  const type = config.get<string>('STORAGE.TYPE');
  const where =
    type === 'postgres'
      ? safeUrl(config.get<string>('STORAGE.POSTGRES_URL') ?? '')
      : type === 'elasticsearch'
        ? JSON.stringify([config.get('ELASTICSEARCH.HOST'), config.get('ELASTICSEARCH.PORT'), config.get('ELASTICSEARCH.INDEX')])
        : `${config.get('DANE.HOME_DIR')}/${config.get('STORAGE.DATA_DIR')}`;
  return createHash('sha256').update(`${type}|${where}`).digest('hex').slice(0, 12);
}

function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port}${u.pathname}`;
  } catch {
    return url;
  }
}

/**
 * Structured lines for the connection's ups and downs (golevelup reconnects by itself), and on
 * every (re)connect the socket batched per event-loop turn (corkPerTick).
 */
@Injectable()
class ConnectionLog implements OnApplicationBootstrap {
  private readonly logger = new Logger('AMQP');
  constructor(
    private readonly amqp: AmqpConnection,
    @Inject(AMQP_SETTINGS) private readonly settings: AmqpSettings,
  ) {}
  onApplicationBootstrap(): void {
    const broker = describeBroker(this.settings);
    const log = () => this.logger.log(JSON.stringify({ event: 'broker_connected', broker }));
    const cork = (model: unknown) => {
      const socket = amqpSocketOf(model);
      if (socket) corkPerTick(socket);
    };
    if (this.amqp.connected) {
      cork(this.amqp.managedConnection.connection);
      log();
    }
    this.amqp.managedConnection.on('connect', ({ connection }) => {
      cork(connection);
      log();
    });
    this.amqp.managedConnection.on('disconnect', ({ err }) => this.logger.warn(JSON.stringify({ event: 'broker_connection_lost', broker, error: err?.message })));
    this.amqp.managedConnection.on('connectFailed', ({ err }) => this.logger.warn(JSON.stringify({ event: 'broker_unreachable', broker, error: err?.message })));
  }
}

/**
 * The process's RabbitMQ connection: golevelup's RabbitMQModule configured from the layered config
 * (connection, reconnection, channels, the DANE and DANE-events exchanges), plus the event
 * publisher and the broker's health for `/ready`. Not global: the modules that use the broker import
 * it — SchedulerModule, ResultsModule, `ApiModule.forRoot({ broker: true })` and
 * `StorageModule.forRoot({ events: true })` (the store publishing its writes' events). A static
 * module is one instance per application, so in one process (single-machine mode) they share one
 * connection, with a channel per consumer, and one EventPublisher. Imports TaskMetricsModule for the
 * publisher's FlowMetrics.
 */
@Module({
  imports: [
    TaskMetricsModule,
    RabbitMQModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => rabbitMqConfig(settingsFrom(config), deploymentId(config)),
    }),
  ],
  providers: [
    { provide: AMQP_SETTINGS, inject: [ConfigService], useFactory: settingsFrom },
    { provide: BROKER_HEALTH, inject: [AmqpConnection], useFactory: (amqp: AmqpConnection): BrokerHealth => ({ check: async () => amqp.connected }) },
    EventPublisher,
    ConnectionLog,
  ],
  exports: [RabbitMQModule, AMQP_SETTINGS, BROKER_HEALTH, EventPublisher],
})
export class DaneBrokerModule {}
