import { DaneConfig } from '../config/defaults';

/** Connection settings of RabbitMQ, read from the RABBITMQ config section (§5.5). */
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
}

export function amqpSettings(config: DaneConfig): AmqpSettings {
  const r = config.RABBITMQ;
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
  };
}

/** Where we connect, without the password, for log lines and errors. */
export function describeBroker(s: AmqpSettings): string {
  return `${s.tls ? 'amqps' : 'amqp'}://${s.user}@${s.host}:${s.port}${s.vhost === '/' ? '' : '/' + encodeURIComponent(s.vhost)}`;
}
