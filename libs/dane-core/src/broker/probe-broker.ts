import * as amqp from 'amqplib';
import { BrokerUnavailableError, AmqpSettings, describeBroker } from '@dane/protocol';

/**
 * One connection attempt, for start-up: a process that cannot reach RabbitMQ says so plainly and
 * names how to start it, instead of retrying silently.
 */
export async function probeBroker(s: AmqpSettings, timeoutMs = 5000): Promise<void> {
  try {
    const conn = await amqp.connect(
      { protocol: s.tls ? 'amqps' : 'amqp', hostname: s.host, port: s.port, username: s.user, password: s.password, vhost: s.vhost },
      { timeout: timeoutMs, noDelay: true },
    );
    await conn.close();
  } catch (e) {
    throw new BrokerUnavailableError(
      `RabbitMQ is not reachable at ${describeBroker(s)} (${e.message || e.code || e}). ` +
        'Start it (Debian: `rabbitmq-server -detached`; Docker: `docker compose up -d rabbitmq`) ' +
        'or point RABBITMQ.HOST/PORT (env DANE_RABBITMQ__HOST, DANE_RABBITMQ__PORT) at a running broker.',
    );
  }
}
