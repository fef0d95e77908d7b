import { Inject, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { AMQP_SETTINGS, AmqpSettings, checkQueues, deploymentId } from '@dane/core';

const CHECK_TIMEOUT_MS = 3000;

interface ForeignConsumer {
  connection: string;
  deployment: string | null;
}

/**
 * Two deployments on one RabbitMQ vhost share DANE-response-queue: each scheduler then takes part
 * of the other's replies, and those tasks wait for their lease. At start-up, before the reply
 * consumer joins, this looks at the queue's consumers: with the management API (RABBITMQ.MANAGEMENT)
 * it names those whose connection belongs to another deployment (client property dane_deployment);
 * without it, any consumer is reported, as it may be one. It only warns (replicas of one deployment
 * share the queue on purpose); the fix is a vhost per deployment (RABBITMQ.VHOST).
 */
@Injectable()
export class ResponseQueueGuard {
  private readonly logger = new Logger('ResponseQueueGuard');
  private readonly deployment: string;

  constructor(
    private readonly amqp: AmqpConnection,
    @Inject(AMQP_SETTINGS) private readonly settings: AmqpSettings,
    private readonly config: ConfigService,
  ) {
    this.deployment = deploymentId(config);
  }

  /** Logs a warning when another deployment (or, without the management API, anyone) consumes our response queue. */
  async check(): Promise<ForeignConsumer[]> {
    try {
      const foreign = this.config.get('RABBITMQ.MANAGEMENT') === true ? await this.viaManagement().catch(() => this.viaChannel()) : await this.viaChannel();
      if (foreign.length > 0) {
        this.logger.warn(
          JSON.stringify({
            event: 'response_queue_shared',
            queue: this.settings.responseQueue,
            vhost: this.settings.vhost,
            deployment: this.deployment,
            consumers: foreign,
            hint: 'Another DANE deployment (or another program) consumes this response queue and will take part of our replies. Give each deployment its own vhost (RABBITMQ.VHOST) or its own RABBITMQ.RESPONSE_QUEUE and EXCHANGE.',
          }),
        );
      }
      return foreign;
    } catch {
      // The broker is away: nothing to compare with now.
      return [];
    }
  }

  private async viaManagement(): Promise<ForeignConsumer[]> {
    const base = `http://${this.config.get('RABBITMQ.MANAGEMENT_HOST')}:${this.config.get('RABBITMQ.MANAGEMENT_PORT')}/api`;
    const vhost = encodeURIComponent(this.settings.vhost);
    const queue = await this.get<{ consumer_details?: Array<{ channel_details?: { connection_name?: string } }> }>(
      `${base}/queues/${vhost}/${encodeURIComponent(this.settings.responseQueue)}`,
    );
    if (queue === undefined) return [];
    const connections = [...new Set((queue.consumer_details ?? []).map((c) => c.channel_details?.connection_name).filter((n): n is string => !!n))];
    const foreign: ForeignConsumer[] = [];
    for (const name of connections) {
      const conn = await this.get<{ client_properties?: { dane_deployment?: string } }>(`${base}/connections/${encodeURIComponent(name)}`);
      const deployment = conn?.client_properties?.dane_deployment ?? null;
      if (deployment !== this.deployment) foreign.push({ connection: name, deployment });
    }
    return foreign;
  }

  private async get<T>(url: string): Promise<T | undefined> {
    const auth = Buffer.from(`${this.settings.user}:${this.settings.password}`).toString('base64');
    const res = await fetch(url, { headers: { Authorization: `Basic ${auth}`, Accept: 'application/json' }, signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`management API answered HTTP ${res.status}`);
    return (await res.json()) as T;
  }

  /** Without the management API the consumers cannot be told apart: any one is reported. */
  private async viaChannel(): Promise<ForeignConsumer[]> {
    const [count] = await checkQueues(this.amqp, [this.settings.responseQueue], CHECK_TIMEOUT_MS);
    return Array.from({ length: count?.consumers ?? 0 }, () => ({ connection: 'unknown (no management API)', deployment: null }));
  }
}
