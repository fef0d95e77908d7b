import { ConfigService } from '@nestjs/config';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { BrokerUnavailableError } from '@dane/protocol';
import {
  dashboardEventsQueueName,
  deploymentQueues,
  isDashboardEventsQueue,
  isSchedulerWakeupQueue,
  legacySchedulerWakeupQueueName,
  ManagementBinding,
  ManagementQueue,
  schedulerWakeupQueueName,
  serverQueuePrefix,
  WorkerQueueService,
} from './worker-queue.service';

const settings = { responseQueue: 'DANE-response-queue', exchange: 'DANE-exchange', vhost: '/' };

/** What the management API answers for a broker shared by this deployment and another one ("OTHER-"). */
const BINDINGS: ManagementBinding[] = [
  { source: 'DANE-exchange', destination: 'ASR', destination_type: 'queue', routing_key: 'ASR' },
  { source: 'DANE-exchange', destination: 'ASR', destination_type: 'queue', routing_key: 'ASR_NL' },
  { source: 'DANE-exchange', destination: 'DOWNLOAD', destination_type: 'queue', routing_key: 'DOWNLOAD' },
  // An idle worker queue: bound, nothing waiting, no consumer yet in the queue list.
  { source: 'DANE-exchange', destination: 'SHOTS', destination_type: 'queue', routing_key: 'SHOTS' },
  // Exchange-to-exchange bindings route no task to a worker.
  { source: 'DANE-exchange', destination: 'DANE-audit', destination_type: 'exchange', routing_key: '#' },
  // A server queue bound to the exchange is still the server's.
  { source: 'DANE-exchange', destination: 'DANE-response-queue', destination_type: 'queue', routing_key: 'DANE-response-queue' },
];

const QUEUES: ManagementQueue[] = [
  { name: 'ASR', consumers: 2, messages: 5 },
  { name: 'DOWNLOAD', consumers: 0, messages: 12 },
  { name: 'DANE-response-queue', consumers: 1, messages: 3 },
  { name: 'DANE-results', consumers: 1, messages: 0 },
  { name: 'DANE-dashboard-0123456789ab', consumers: 1, messages: 0 },
  { name: 'DANE-dashboard-ba9876543210', consumers: 1, messages: 7 },
  // Two scheduler processes' wake-up queues, and the durable one earlier versions shared (not listed).
  { name: 'DANE-scheduler-wakeups-fedcba987654', consumers: 1, messages: 0 },
  { name: 'DANE-scheduler-wakeups-0123456789ab', consumers: 1, messages: 2 },
  { name: 'DANE-scheduler-wakeups', consumers: 0, messages: 40 },
  // Another deployment's queues on the same broker: never listed.
  { name: 'OTHER-ASR', consumers: 4, messages: 100 },
  { name: 'OTHER-response-queue', consumers: 1, messages: 0 },
  { name: 'OTHER-dashboard-0123456789ab', consumers: 1, messages: 0 },
  { name: 'OTHER-scheduler-wakeups-0123456789ab', consumers: 1, messages: 0 },
  // Not a dashboard queue of this deployment: another deployment whose prefix starts like ours.
  { name: 'DANE-dashboard-feedbeef-response-queue', consumers: 1, messages: 0 },
  { name: 'DANE-dashboard-feedbeef-dashboard-0123456789ab', consumers: 1, messages: 0 },
  { consumers: 1, messages: 1 },
];

describe('worker queues of this deployment', () => {
  describe('queue names', () => {
    it('derives the server queues from the response queue', () => {
      expect(serverQueuePrefix(settings)).toBe('DANE');
      expect(serverQueuePrefix({ responseQueue: 'custom-queue' })).toBe('custom-queue');
      expect(schedulerWakeupQueueName(settings, '0123456789ab')).toBe('DANE-scheduler-wakeups-0123456789ab');
      expect(() => schedulerWakeupQueueName(settings, '0123456789AB')).toThrow(/12 lower-case hex digits/);
      expect(legacySchedulerWakeupQueueName(settings)).toBe('DANE-scheduler-wakeups');
      expect(dashboardEventsQueueName(settings, '0123456789ab')).toBe('DANE-dashboard-0123456789ab');
      expect(() => dashboardEventsQueueName(settings, 'x')).toThrow(/12 lower-case hex digits/);
    });

    it('tells this deployment’s scheduler wake-up queues from the legacy shared one and look-alikes', () => {
      expect(isSchedulerWakeupQueue(settings, 'DANE-scheduler-wakeups-0123456789ab')).toBe(true);
      expect(isSchedulerWakeupQueue(settings, 'DANE-scheduler-wakeups')).toBe(false);
      expect(isSchedulerWakeupQueue(settings, 'DANE-scheduler-wakeups-0123456789abc')).toBe(false);
      expect(isSchedulerWakeupQueue(settings, 'DANE-dashboard-0123456789ab')).toBe(false);
      expect(isSchedulerWakeupQueue(settings, 'OTHER-scheduler-wakeups-0123456789ab')).toBe(false);
      expect(isDashboardEventsQueue(settings, 'DANE-scheduler-wakeups-0123456789ab')).toBe(false);
    });

    it('tells this deployment’s dashboard event queues from look-alikes', () => {
      expect(isDashboardEventsQueue(settings, 'DANE-dashboard-0123456789ab')).toBe(true);
      expect(isDashboardEventsQueue(settings, 'DANE-dashboard-0123456789abc')).toBe(false);
      expect(isDashboardEventsQueue(settings, 'DANE-dashboard-feedbeef-response-queue')).toBe(false);
      expect(isDashboardEventsQueue(settings, 'DANE-dashboard-feedbeef-dashboard-0123456789ab')).toBe(false);
      expect(isDashboardEventsQueue(settings, 'OTHER-dashboard-0123456789ab')).toBe(false);
      // The other deployment's own test: its prefix is DANE-dashboard-feedbeef.
      expect(isDashboardEventsQueue({ responseQueue: 'DANE-dashboard-feedbeef-response-queue' }, 'DANE-dashboard-feedbeef-dashboard-0123456789ab')).toBe(true);
    });
  });

  describe('deploymentQueues', () => {
    it('lists as workers only the queues the exchange routes to, with their keys and counts', () => {
      const q = deploymentQueues(settings, BINDINGS, QUEUES);
      expect(q.workers).toEqual([
        { name: 'ASR', active_workers: 2, in_queue: 5, binding_keys: ['ASR', 'ASR_NL'] },
        { name: 'DOWNLOAD', active_workers: 0, in_queue: 12, binding_keys: ['DOWNLOAD'] },
        { name: 'SHOTS', active_workers: 0, in_queue: 0, binding_keys: ['SHOTS'] },
      ]);
      expect(q).toMatchObject({ exchange: 'DANE-exchange', vhost: '/' });
    });

    it('lists the server queues, absent ones with null counts, and this deployment’s scheduler and dashboard queues', () => {
      expect(deploymentQueues(settings, BINDINGS, QUEUES).server).toEqual([
        { name: 'DANE-response-queue', role: 'response', consumers: 1, messages: 3 },
        { name: 'DANE-results', role: 'results', consumers: 1, messages: 0 },
        { name: 'DANE-scheduler-wakeups-0123456789ab', role: 'scheduler-wakeups', consumers: 1, messages: 2 },
        { name: 'DANE-scheduler-wakeups-fedcba987654', role: 'scheduler-wakeups', consumers: 1, messages: 0 },
        { name: 'DANE-dashboard-0123456789ab', role: 'dashboard-events', consumers: 1, messages: 0 },
        { name: 'DANE-dashboard-ba9876543210', role: 'dashboard-events', consumers: 1, messages: 7 },
      ]);
    });

    it('ignores bindings of another exchange and malformed rows', () => {
      const q = deploymentQueues(
        settings,
        [
          { source: 'OTHER-exchange', destination: 'OTHER-ASR', destination_type: 'queue', routing_key: 'ASR' },
          { source: 'DANE-exchange', destination: '', destination_type: 'queue', routing_key: 'X' },
          { source: 'DANE-exchange', destination: 42, destination_type: 'queue', routing_key: 'X' },
          { source: 'DANE-exchange', destination: 'DANE-dashboard-0123456789ab', destination_type: 'queue', routing_key: '#' },
          { source: 'DANE-exchange', destination: 'DANE-scheduler-wakeups-0123456789ab', destination_type: 'queue', routing_key: 'task.#.201' },
          {},
        ],
        [{ name: 'OTHER-ASR', consumers: 'lots', messages: -1 }],
      );
      expect(q.workers).toEqual([]);
    });

    it('counts nonsense as zero', () => {
      const q = deploymentQueues(
        settings,
        [{ source: 'DANE-exchange', destination: 'ASR', destination_type: 'queue', routing_key: 'ASR' }],
        [{ name: 'ASR', consumers: 'lots', messages: -1 }],
      );
      expect(q.workers).toEqual([{ name: 'ASR', active_workers: 0, in_queue: 0, binding_keys: ['ASR'] }]);
    });
  });

  describe('WorkerQueueService against an HTTP server answering like the management API', () => {
    let server: Server;
    let port: number;
    const seen: string[] = [];
    let exchangeExists = true;
    const answer = (req: IncomingMessage) => {
      const url = req.url!;
      if (url === '/api/exchanges/dane%2Ftest/DANE%20exchange/bindings/source') {
        return exchangeExists ? BINDINGS.map((b) => ({ ...b, source: b.source === 'DANE-exchange' ? 'DANE exchange' : b.source, vhost: 'dane/test' })) : undefined;
      }
      if (url === '/api/queues/dane%2Ftest?columns=name,consumers,messages') return QUEUES;
      return undefined;
    };
    const service = (rabbit: Record<string, unknown>) =>
      new WorkerQueueService({
        get: (key: string) =>
          key === 'RABBITMQ'
            ? {
                HOST: 'localhost',
                PORT: 5672,
                USER: 'dane',
                PASSWORD: 'secret',
                VHOST: 'dane/test',
                EXCHANGE: 'DANE exchange',
                RESPONSE_QUEUE: 'DANE-response-queue',
                MANAGEMENT: true,
                MANAGEMENT_HOST: '127.0.0.1',
                MANAGEMENT_PORT: port,
                ...rabbit,
              }
            : undefined,
      } as unknown as ConfigService);

    beforeAll(async () => {
      server = createServer((req, res) => {
        seen.push(req.url!);
        if (req.headers.authorization !== 'Basic ' + Buffer.from('dane:secret').toString('base64')) return void res.writeHead(401).end();
        const body = answer(req);
        if (body === undefined) return void res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"Object Not Found"}');
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise((r) => server.close(r)));
    beforeEach(() => {
      seen.length = 0;
      exchangeExists = true;
    });

    it('reads the exchange’s bindings and the queues of its vhost, both URL-encoded', async () => {
      const q = await service({}).deployment();
      expect(seen.sort()).toEqual(['/api/exchanges/dane%2Ftest/DANE%20exchange/bindings/source', '/api/queues/dane%2Ftest?columns=name,consumers,messages']);
      expect(q.workers.map((w) => w.name)).toEqual(['ASR', 'DOWNLOAD', 'SHOTS']);
      expect(q.server.map((s) => s.role)).toEqual(['response', 'results', 'scheduler-wakeups', 'scheduler-wakeups', 'dashboard-events', 'dashboard-events']);
      expect(q).toMatchObject({ exchange: 'DANE exchange', vhost: 'dane/test' });
    });

    it('pages the worker queues in the docs/protocol.md (Worker routes) shape for GET /DANE/workers/', async () => {
      expect(await service({}).list({ page: 1, size: 2 })).toEqual({
        items: [
          { name: 'ASR', active_workers: 2, in_queue: 5 },
          { name: 'DOWNLOAD', active_workers: 0, in_queue: 12 },
        ],
        total: 3,
        page: 1,
        size: 2,
      });
    });

    it('has no worker queues while the exchange is not declared', async () => {
      exchangeExists = false;
      const q = await service({}).deployment();
      expect(q.workers).toEqual([]);
      expect(q.server[0]).toEqual({ name: 'DANE-response-queue', role: 'response', consumers: 1, messages: 3 });
    });

    it('says why when the management API is off, refuses the credentials or lacks the vhost', async () => {
      await expect(service({ MANAGEMENT: false }).deployment()).rejects.toThrow(/RABBITMQ\.MANAGEMENT is false/);
      const refused = service({ PASSWORD: 'wrong' }).deployment();
      await expect(refused).rejects.toBeInstanceOf(BrokerUnavailableError);
      await expect(refused).rejects.toThrow(/refused the credentials of RABBITMQ.USER \(HTTP 401\)/);
      await expect(service({ VHOST: 'nowhere' }).deployment()).rejects.toThrow(`The RabbitMQ management API at http://127.0.0.1:${port} answered HTTP 404`);
    });
  });
});
