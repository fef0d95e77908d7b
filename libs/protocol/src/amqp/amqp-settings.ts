import { readFileSync } from 'node:fs';
import { DaneConfig } from '../config/defaults';
import { ConfigError } from '../errors';

export type QueueType = 'classic' | 'quorum';

/** Connection settings of RabbitMQ, read from the RABBITMQ config section (docs/protocol.md, Configuration). */
export interface AmqpSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  vhost: string;
  exchange: string;
  responseQueue: string;
  heartbeat: number;
  tls: boolean;
  /** PEM files for amqps (RABBITMQ.TLS_CA_FILE / TLS_CERT_FILE / TLS_KEY_FILE); unset = system CAs, no client certificate. */
  tlsCaFile?: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** DANE-events: durable topic exchange of change notifications. */
  eventsExchange: string;
  /** Whether this process publishes events. */
  events: boolean;
  /** Type of the server's own durable queues. */
  queueType: QueueType;
}

export function amqpSettings(config: DaneConfig): AmqpSettings {
  const r = config.RABBITMQ;
  const queueType = String(r.QUEUE_TYPE ?? 'classic');
  if (queueType !== 'classic' && queueType !== 'quorum') {
    throw new ConfigError(`RABBITMQ.QUEUE_TYPE must be classic or quorum, not ${JSON.stringify(r.QUEUE_TYPE)}`);
  }
  return {
    host: String(r.HOST),
    port: Number(r.PORT),
    user: String(r.USER),
    password: String(r.PASSWORD),
    vhost: String(r.VHOST ?? '/'),
    exchange: String(r.EXCHANGE),
    responseQueue: String(r.RESPONSE_QUEUE),
    heartbeat: Number(r.HEARTBEAT ?? 30),
    tls: r.TLS === true,
    tlsCaFile: r.TLS_CA_FILE ? String(r.TLS_CA_FILE) : undefined,
    tlsCertFile: r.TLS_CERT_FILE ? String(r.TLS_CERT_FILE) : undefined,
    tlsKeyFile: r.TLS_KEY_FILE ? String(r.TLS_KEY_FILE) : undefined,
    eventsExchange: String(r.EVENTS_EXCHANGE ?? 'DANE-events'),
    events: r.EVENTS !== false,
    queueType,
  };
}

/** Where we connect, without the password, for log lines and errors. */
export function describeBroker(s: AmqpSettings): string {
  return `${s.tls ? 'amqps' : 'amqp'}://${s.user}@${s.host}:${s.port}${s.vhost === '/' ? '' : '/' + encodeURIComponent(s.vhost)}`;
}

/** amqp(s)://user:password@host:port/vhost?heartbeat=N, every part escaped. */
export function brokerUri(s: AmqpSettings): string {
  const auth = `${encodeURIComponent(s.user)}:${encodeURIComponent(s.password)}`;
  return `${s.tls ? 'amqps' : 'amqp'}://${auth}@${s.host}:${s.port}/${encodeURIComponent(s.vhost)}?heartbeat=${s.heartbeat}`;
}

/** CA / client certificate for amqps, read from their files when called (at each connect: rotated files are picked up). */
export function tlsSocketOptions(s: AmqpSettings): { ca?: Buffer[]; cert?: Buffer; key?: Buffer } {
  if (!s.tls) return {};
  return {
    ...(s.tlsCaFile ? { ca: [readFileSync(s.tlsCaFile)] } : {}),
    ...(s.tlsCertFile ? { cert: readFileSync(s.tlsCertFile) } : {}),
    ...(s.tlsKeyFile ? { key: readFileSync(s.tlsKeyFile) } : {}),
  };
}
