import { LoggerService, Logger } from '@nestjs/common';
import type { RabbitMQConfig } from '@golevelup/nestjs-rabbitmq';
import { randomBytes } from 'node:crypto';
import { AmqpSettings, brokerUri, QueueType, tlsSocketOptions } from '@dane/protocol';

/** Named channels of the server's connection; each consumer has its own prefetch window. */
export const BROKER_CHANNELS = {
  /** Default channel: publishes (dispatch with confirms + mandatory, events). */
  publish: 'dane-publish',
  replies: 'dane-replies',
  results: 'dane-results',
  events: 'dane-events',
} as const;

/** Unacked replies the broker hands the scheduler at once; also its largest batch. */
export const REPLY_PREFETCH = 200;
export const RESULT_PREFETCH = 50;
export const EVENT_PREFETCH = 200;

/**
 * golevelup's RabbitMQModule configuration from the RABBITMQ section. Nagle is off (`noDelay`):
 * with it on, a round trip on loopback is ~35x slower. DANE-exchange is declared topic and
 * NON-durable on every (re)connect — a durable one makes Python workers fail with 406 (docs/protocol.md, Topology);
 * DANE-events is durable. No direct reply-to consumer (we do no RPC), no decorator discovery: the
 * server's consumers subscribe programmatically (they batch).
 */
export function rabbitMqConfig(s: AmqpSettings, deployment: string): RabbitMQConfig {
  return {
    // Unique per module instance: golevelup keeps its connections in one process-wide map by name.
    name: `dane-${process.pid}-${randomBytes(3).toString('hex')}`,
    uri: brokerUri(s),
    exchanges: [
      { name: s.exchange, type: 'topic', options: { durable: false, autoDelete: false, internal: false } },
      { name: s.eventsExchange, type: 'topic', options: { durable: true, autoDelete: false } },
    ],
    channels: {
      [BROKER_CHANNELS.publish]: { default: true, prefetchCount: 1 },
      [BROKER_CHANNELS.replies]: { prefetchCount: REPLY_PREFETCH },
      [BROKER_CHANNELS.results]: { prefetchCount: RESULT_PREFETCH },
      [BROKER_CHANNELS.events]: { prefetchCount: EVENT_PREFETCH },
    },
    connectionInitOptions: { wait: false, skipConnectionFailedLogging: true, skipDisconnectFailedLogging: true },
    connectionManagerOptions: {
      heartbeatIntervalInSeconds: s.heartbeat,
      reconnectTimeInSeconds: 1,
      connectionOptions: {
        noDelay: true,
        clientProperties: { connection_name: `dane-node (pid ${process.pid})`, dane_deployment: deployment },
        ...tlsSocketOptions(s),
      },
    },
    enableDirectReplyTo: false,
    registerHandlers: false,
    logger: new BrokerLogger(),
  };
}

/** Arguments of the server's own durable queues: `x-queue-type` when RABBITMQ.QUEUE_TYPE is quorum. */
export function serverQueueArguments(type: QueueType): Record<string, unknown> {
  return type === 'quorum' ? { 'x-queue-type': 'quorum' } : {};
}

/** golevelup's log lines as our structured ones (its disconnect "errors" are warnings: it reconnects). */
class BrokerLogger implements LoggerService {
  private readonly logger = new Logger('RabbitMQ');
  log(message: unknown): void {
    this.logger.log(JSON.stringify({ event: 'rabbitmq', message: String(message) }));
  }
  warn(message: unknown): void {
    this.logger.warn(JSON.stringify({ event: 'rabbitmq', message: String(message) }));
  }
  error(message: unknown, trace?: unknown): void {
    this.logger.warn(JSON.stringify({ event: 'rabbitmq', message: String(message), ...(trace ? { trace: String(trace).split('\n')[0] } : {}) }));
  }
  debug(message: unknown): void {
    this.logger.debug(JSON.stringify({ event: 'rabbitmq', message: String(message) }));
  }
  verbose(message: unknown): void {
    this.logger.verbose(JSON.stringify({ event: 'rabbitmq', message: String(message) }));
  }
}
