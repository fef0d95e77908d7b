import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { AmqpSettings, amqpSettings, resultQueueName, DaneConfig, BrokerUnavailableError, Page, PageRequest } from '@dane/protocol';

/** One worker queue as `GET /DANE/workers/` reports it (docs/protocol.md, Worker routes). */
export interface WorkerQueue {
  name: string;
  active_workers: number;
  in_queue: number;
}

/** A worker queue with the binding keys that route this deployment's tasks to it (the dashboard). */
export interface BoundWorkerQueue extends WorkerQueue {
  binding_keys: string[];
}

/** What a queue of the server itself is for. */
export type ServerQueueRole = 'response' | 'results' | 'scheduler-wakeups' | 'dashboard-events';

/** One of the deployment's own queues; consumers and messages are null when the broker has no such queue. */
export interface ServerQueue {
  name: string;
  role: ServerQueueRole;
  consumers: number | null;
  messages: number | null;
}

/** The queues of this deployment: the workers' (bound to its exchange) and the server's own. */
export interface DeploymentQueues {
  exchange: string;
  vhost: string;
  workers: BoundWorkerQueue[];
  server: ServerQueue[];
}

/** A row of the management API's `GET /api/exchanges/<vhost>/<exchange>/bindings/source`. */
export interface ManagementBinding {
  source?: unknown;
  destination?: unknown;
  destination_type?: unknown;
  routing_key?: unknown;
}

/** A row of the management API's `GET /api/queues/<vhost>`. */
export interface ManagementQueue {
  name?: unknown;
  consumers?: unknown;
  messages?: unknown;
}

const MANAGEMENT_TIMEOUT_MS = 3000;
const ENABLE_HINT = 'enable it with `rabbitmq-plugins enable rabbitmq_management`';

/** What the server's own queue names start with: the response queue's name without `-response-queue`. */
export function serverQueuePrefix(s: Pick<AmqpSettings, 'responseQueue'>): string {
  return s.responseQueue.replace(/-response-queue$/, '');
}

const REPLICA_QUEUE_ID = /^[0-9a-f]{12}$/;

/** `<prefix>-<kind>-<12 hex>`: a queue of one server process, named (not server-named) so the dashboard can list every replica's. */
function replicaQueueName(s: Pick<AmqpSettings, 'responseQueue'>, kind: string, id: string): string {
  if (!REPLICA_QUEUE_ID.test(id)) throw new Error(`a ${kind} queue id is 12 lower-case hex digits, not ${JSON.stringify(id)}`);
  return `${serverQueuePrefix(s)}-${kind}-${id}`;
}

function isReplicaQueue(s: Pick<AmqpSettings, 'responseQueue'>, kind: string, name: string): boolean {
  const prefix = `${serverQueuePrefix(s)}-${kind}-`;
  return name.startsWith(prefix) && REPLICA_QUEUE_ID.test(name.slice(prefix.length));
}

/**
 * The exclusive, auto-delete queue through which one scheduler process hears the DANE-events that
 * wake its dispatcher (apps/scheduler, event-wakeups.consumer.ts): `<prefix>-scheduler-wakeups-<12 hex>`,
 * a new name on each connection.
 */
export function schedulerWakeupQueueName(s: Pick<AmqpSettings, 'responseQueue'>, id: string): string {
  return replicaQueueName(s, 'scheduler-wakeups', id);
}

export function isSchedulerWakeupQueue(s: Pick<AmqpSettings, 'responseQueue'>, name: string): boolean {
  return isReplicaQueue(s, 'scheduler-wakeups', name);
}

/** The durable wake-up queue the scheduler replicas of earlier versions shared; a scheduler deletes it once unused. */
export function legacySchedulerWakeupQueueName(s: Pick<AmqpSettings, 'responseQueue'>): string {
  return serverQueuePrefix(s) + '-scheduler-wakeups';
}

/**
 * The exclusive, auto-delete queue through which one api replica's dashboard receives DANE-events:
 * `<prefix>-dashboard-<12 hex>`, named (not server-named) so the dashboard can list its replicas'.
 */
export function dashboardEventsQueueName(s: Pick<AmqpSettings, 'responseQueue'>, id: string): string {
  return replicaQueueName(s, 'dashboard', id);
}

export function isDashboardEventsQueue(s: Pick<AmqpSettings, 'responseQueue'>, name: string): boolean {
  return isReplicaQueue(s, 'dashboard', name);
}

/** The deployment's fixed server queues, in the order the dashboard lists them. */
export function fixedServerQueues(s: Pick<AmqpSettings, 'responseQueue'>): Array<{ name: string; role: ServerQueueRole }> {
  return [
    { name: s.responseQueue, role: 'response' },
    { name: resultQueueName(s as AmqpSettings), role: 'results' },
  ];
}

/**
 * Sorts the broker's queues into this deployment's: worker queues are those its exchange routes to
 * (bindings with destination_type queue), without the server's own; server queues are the response
 * and results queues (listed even when absent), the scheduler processes' wake-up queues and the api
 * replicas' dashboard event queues.
 * Queues of other deployments on the same broker (or vhost) appear in neither.
 */
export function deploymentQueues(
  s: Pick<AmqpSettings, 'responseQueue' | 'exchange' | 'vhost'>,
  bindings: ReadonlyArray<ManagementBinding>,
  queues: ReadonlyArray<ManagementQueue>,
): DeploymentQueues {
  const byName = new Map<string, ManagementQueue>();
  for (const q of queues) if (typeof q.name === 'string') byName.set(q.name, q);
  const fixed = fixedServerQueues(s);
  const own = new Set(fixed.map((q) => q.name));
  const keysOf = new Map<string, string[]>();
  for (const b of bindings) {
    if (b.destination_type !== 'queue' || typeof b.destination !== 'string' || b.destination === '') continue;
    if (b.source !== undefined && b.source !== s.exchange) continue;
    if (own.has(b.destination) || replicaQueueRole(s, b.destination)) continue;
    const keys = keysOf.get(b.destination) ?? [];
    if (typeof b.routing_key === 'string' && !keys.includes(b.routing_key)) keys.push(b.routing_key);
    keysOf.set(b.destination, keys);
  }
  const workers = [...keysOf.keys()].sort().map((name): BoundWorkerQueue => {
    const q = byName.get(name);
    return { name, active_workers: count(q?.consumers), in_queue: count(q?.messages), binding_keys: keysOf.get(name)!.sort() };
  });
  const serverRow = (name: string, role: ServerQueueRole): ServerQueue => {
    const q = byName.get(name);
    return { name, role, consumers: q ? count(q.consumers) : null, messages: q ? count(q.messages) : null };
  };
  const replicas = (role: ServerQueueRole) => [...byName.keys()].filter((name) => replicaQueueRole(s, name) === role).sort();
  return {
    exchange: s.exchange,
    vhost: s.vhost,
    workers,
    server: [
      ...fixed.map((q) => serverRow(q.name, q.role)),
      ...replicas('scheduler-wakeups').map((name) => serverRow(name, 'scheduler-wakeups')),
      ...replicas('dashboard-events').map((name) => serverRow(name, 'dashboard-events')),
    ],
  };
}

/** The role of a queue of one server process (a scheduler's wake-ups, an api replica's dashboard events), if it is one. */
function replicaQueueRole(s: Pick<AmqpSettings, 'responseQueue'>, name: string): ServerQueueRole | undefined {
  if (isSchedulerWakeupQueue(s, name)) return 'scheduler-wakeups';
  if (isDashboardEventsQueue(s, name)) return 'dashboard-events';
  return undefined;
}

function count(v: unknown): number {
  const n = Number(v ?? 0);
  return Number.isFinite(n) && n >= 0 ? n : 0;
}

/** Worker queues and their consumers, read from the RabbitMQ management API. */
@Injectable()
export class WorkerQueueService {
  constructor(private readonly config: ConfigService) {}

  /** The queues this deployment's exchange routes tasks to (not the server's own), by name, paged. */
  async list(page: PageRequest): Promise<Page<WorkerQueue>> {
    const workers = (await this.deployment()).workers.map(({ name, active_workers, in_queue }) => ({ name, active_workers, in_queue }));
    const start = (page.page - 1) * page.size;
    return { items: workers.slice(start, start + page.size), total: workers.length, page: page.page, size: page.size };
  }

  /** This deployment's worker and server queues with their counts (two management API reads). */
  async deployment(): Promise<DeploymentQueues> {
    const rabbit = this.config.get<DaneConfig['RABBITMQ']>('RABBITMQ') ?? {};
    if (rabbit.MANAGEMENT !== true) {
      throw new BrokerUnavailableError(`Worker statistics need the RabbitMQ management API, and RABBITMQ.MANAGEMENT is false; set it to true and ${ENABLE_HINT}`);
    }
    const settings = amqpSettings({ RABBITMQ: rabbit } as DaneConfig);
    const base = `http://${rabbit.MANAGEMENT_HOST}:${rabbit.MANAGEMENT_PORT}`;
    const vhost = encodeURIComponent(settings.vhost);
    const get = (path: string, what: string, absentIsEmpty = false) => this.fetchList(`${base}${path}`, settings.user, settings.password, base, what, absentIsEmpty);
    const [bindings, queues] = await Promise.all([
      // An exchange not declared yet routes to nothing: no worker queues rather than an error.
      get(`/api/exchanges/${vhost}/${encodeURIComponent(settings.exchange)}/bindings/source`, 'bindings', true),
      get(`/api/queues/${vhost}?columns=name,consumers,messages`, 'queues'),
    ]);
    return deploymentQueues(settings, bindings, queues);
  }

  private async fetchList(url: string, user: string, password: string, base: string, what: string, absentIsEmpty: boolean): Promise<Record<string, unknown>[]> {
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
    if (res.status === 404 && absentIsEmpty) {
      await res.body?.cancel();
      return [];
    }
    if (!res.ok) throw new BrokerUnavailableError(`The RabbitMQ management API at ${base} answered HTTP ${res.status}`);
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new BrokerUnavailableError(`The RabbitMQ management API at ${base} did not answer JSON`);
    }
    if (!Array.isArray(body)) throw new BrokerUnavailableError(`The RabbitMQ management API at ${base} did not answer a list of ${what}`);
    return body.filter((q): q is Record<string, unknown> => typeof q === 'object' && q !== null);
  }
}

function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}
