import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { amqpSettings } from '../broker/amqp-settings';
import { resultQueueName } from '../broker/topology';
import { DaneConfig } from '../config/defaults';
import { BrokerUnavailableError } from '../errors';
import { Page, PageRequest } from '../storage/page';

/** One worker queue as `GET /DANE/workers/` reports it (§3.7). */
export interface WorkerQueue {
  name: string;
  active_workers: number;
  in_queue: number;
}

const MANAGEMENT_TIMEOUT_MS = 3000;
const ENABLE_HINT = 'enable it with `rabbitmq-plugins enable rabbitmq_management`';

/** Worker queues and their consumers, read from the RabbitMQ management API. */
@Injectable()
export class WorkerQueueService {
  constructor(private readonly config: ConfigService) {}

  /** Every queue except the server's own (response and results queues), by name, paged. */
  async list(page: PageRequest): Promise<Page<WorkerQueue>> {
    const rabbit = this.config.get<DaneConfig['RABBITMQ']>('RABBITMQ') ?? {};
    if (rabbit.MANAGEMENT !== true) {
      throw new BrokerUnavailableError(`Worker statistics need the RabbitMQ management API, and RABBITMQ.MANAGEMENT is false; set it to true and ${ENABLE_HINT}`);
    }
    const settings = amqpSettings({ RABBITMQ: rabbit } as DaneConfig);
    const base = `http://${rabbit.MANAGEMENT_HOST}:${rabbit.MANAGEMENT_PORT}`;
    const queues = await this.fetchQueues(`${base}/api/queues/`, settings.user, settings.password, base);
    const own = new Set([settings.responseQueue, resultQueueName(settings)]);
    const workers = queues
      .filter((q) => typeof q.name === 'string' && !own.has(q.name))
      .map((q) => ({ name: q.name as string, active_workers: Number(q.consumers ?? 0), in_queue: Number(q.messages ?? 0) }));
    const start = (page.page - 1) * page.size;
    return { items: workers.slice(start, start + page.size), total: workers.length, page: page.page, size: page.size };
  }

  private async fetchQueues(url: string, user: string, password: string, base: string): Promise<Record<string, unknown>[]> {
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { Authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64'), Accept: 'application/json' },
        signal: AbortSignal.timeout(MANAGEMENT_TIMEOUT_MS),
      });
    } catch (err) {
      const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${MANAGEMENT_TIMEOUT_MS / 1000} s` : describeFetchError(err);
      throw new BrokerUnavailableError(`The RabbitMQ management API at ${base} is unreachable (${reason}); ${ENABLE_HINT}, or check RABBITMQ.MANAGEMENT_HOST/MANAGEMENT_PORT`);
    }
    if (res.status === 401 || res.status === 403) {
      throw new BrokerUnavailableError(`The RabbitMQ management API at ${base} refused the credentials of RABBITMQ.USER (HTTP ${res.status})`);
    }
    if (!res.ok) throw new BrokerUnavailableError(`The RabbitMQ management API at ${base} answered HTTP ${res.status}`);
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new BrokerUnavailableError(`The RabbitMQ management API at ${base} did not answer JSON`);
    }
    if (!Array.isArray(body)) throw new BrokerUnavailableError(`The RabbitMQ management API at ${base} did not answer a list of queues`);
    return body.filter((q): q is Record<string, unknown> => typeof q === 'object' && q !== null);
  }
}

function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}
