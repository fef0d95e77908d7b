import { INestApplication } from '@nestjs/common';
import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { connect } from 'amqplib';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { createSqlStore } from '@dane/core/storage/sql';
import { BrokerHealth, DaneStore, TaskState } from '@dane/core';
import { createApiTestApp } from '../../../test/support/api-test-app';
import { documentBody } from '../../../test/support/fixtures';
import { freePort } from '../../../test/support/net';

/** A broker check against a real RabbitMQ URL: can we open a connection right now? */
class AmqpConnectCheck implements BrokerHealth {
  constructor(private readonly url: string) {}
  async check(): Promise<boolean> {
    try {
      const conn = await connect(this.url, { timeout: 2000 });
      await conn.close();
      return true;
    } catch {
      return false;
    }
  }
}

const RABBIT_URL = process.env.DANE_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

describe('worker, health and readiness routes (PGlite)', () => {
  let store: DaneStore;
  let app: INestApplication;
  const apps: INestApplication[] = [];
  const http = () => request(app.getHttpServer());
  const otherApp = async (options: Parameters<typeof createApiTestApp>[1], on: DaneStore = store) => {
    const extra = await createApiTestApp(on, options);
    apps.push(extra);
    return extra;
  };
  const setState = async (taskId: string, to: number) => {
    const task = await store.tasks.findById(taskId);
    expect(await store.tasks.transition({ id: taskId, from: [task!.state], to, msg: 'set by test' })).not.toBeNull();
  };
  const assign = async (tid: string, key: string, state: number) => {
    const docId = (await http().post('/DANE/document/').send(documentBody(tid)).expect(200)).body._id;
    const id = (await http().post('/DANE/task/').send({ document_id: docId, key }).expect(201)).body._id as string;
    if (state !== TaskState.CREATED) await setState(id, state);
    return id;
  };

  beforeAll(async () => {
    store = await createSqlStore({ kind: 'pglite' });
    app = await createApiTestApp(store);
  });
  afterAll(async () => {
    for (const a of [app, ...apps]) await a.close();
    await store.close();
  });

  describe('GET /DANE/workers/', () => {
    it('answers 503 saying how to enable it when RABBITMQ.MANAGEMENT is false', async () => {
      const off = await otherApp({ env: { DANE_RABBITMQ__MANAGEMENT: 'false' } });
      const res = await request(off.getHttpServer()).get('/DANE/workers/').expect(503);
      expect(res.body.message).toMatch(/RABBITMQ\.MANAGEMENT is false/);
      expect(res.body.message).toMatch(/rabbitmq-plugins enable rabbitmq_management/);
    });

    it('answers 503 naming the address when the management API is unreachable', async () => {
      const port = await freePort();
      const down = await otherApp({ env: { DANE_RABBITMQ__MANAGEMENT_HOST: '127.0.0.1', DANE_RABBITMQ__MANAGEMENT_PORT: String(port) } });
      const res = await request(down.getHttpServer()).get('/DANE/workers').expect(503);
      expect(res.body.message).toContain(`The RabbitMQ management API at http://127.0.0.1:${port} is unreachable`);
      expect(res.body.message).toMatch(/rabbitmq-plugins enable rabbitmq_management/);
    });

    describe('against an HTTP server answering like the management API', () => {
      let server: Server;
      let seenAuth: string | undefined;
      beforeAll(async () => {
        server = createServer((req, res) => {
          seenAuth = req.headers.authorization;
          if (seenAuth !== 'Basic ' + Buffer.from('dane:secret').toString('base64')) return void res.writeHead(401).end();
          const json = (body: unknown) => void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
          // The deployment's exchange routes to ASR and DOWNLOAD; the broker also holds another deployment's queue.
          if (req.url === '/api/exchanges/%2F/DANE-exchange/bindings/source') {
            return json([
              { source: 'DANE-exchange', vhost: '/', destination: 'ASR', destination_type: 'queue', routing_key: 'ASR', arguments: {} },
              { source: 'DANE-exchange', vhost: '/', destination: 'DOWNLOAD', destination_type: 'queue', routing_key: 'DOWNLOAD', arguments: {} },
            ]);
          }
          if (req.url === '/api/queues/%2F?columns=name,consumers,messages') {
            return json([
              { name: 'ASR', consumers: 2, messages: 5, vhost: '/' },
              { name: 'DANE-response-queue', consumers: 1, messages: 0 },
              { name: 'DANE-results', consumers: 1, messages: 0 },
              // Two scheduler processes' own wake-up queues.
              { name: 'DANE-scheduler-wakeups-fedcba987654', consumers: 1, messages: 0 },
              { name: 'DANE-scheduler-wakeups-0123456789ab', consumers: 1, messages: 0 },
              { name: 'DOWNLOAD', consumers: 0, messages: 12 },
              { name: 'OTHER-DEPLOYMENT-ASR', consumers: 3, messages: 40 },
            ]);
          }
          res.writeHead(404).end();
        });
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      });
      afterAll(async () => {
        await new Promise((r) => server.close(r));
      });

      it('lists the queues bound to this deployment’s exchange, not the server’s nor other deployments’, as {name, active_workers, in_queue}', async () => {
        const port = (server.address() as AddressInfo).port;
        const env = { DANE_RABBITMQ__MANAGEMENT_HOST: '127.0.0.1', DANE_RABBITMQ__MANAGEMENT_PORT: String(port), DANE_RABBITMQ__USER: 'dane', DANE_RABBITMQ__PASSWORD: 'secret' };
        const up = await otherApp({ env });
        const res = await request(up.getHttpServer()).get('/DANE/workers/').expect(200);
        expect(res.body).toEqual([
          { name: 'ASR', active_workers: 2, in_queue: 5 },
          { name: 'DOWNLOAD', active_workers: 0, in_queue: 12 },
        ]);
        expect(res.headers['x-total-count']).toBe('2');
        const second = await request(up.getHttpServer()).get('/DANE/workers?page=2&size=1').expect(200);
        expect(second.body).toEqual([{ name: 'DOWNLOAD', active_workers: 0, in_queue: 12 }]);
        expect(second.headers['x-total-count']).toBe('2');
        expect((await request(up.getHttpServer()).get('/DANE/workers?size=0').expect(400)).body.message).toMatch(/^size must be/);
        const wrong = await otherApp({ env: { ...env, DANE_RABBITMQ__PASSWORD: 'wrong' } });
        const refused = await request(wrong.getHttpServer()).get('/DANE/workers/').expect(503);
        expect(refused.body.message).toMatch(/refused the credentials of RABBITMQ.USER \(HTTP 401\)/);
      });

      it('gives the dashboard (/manage/api/queues) the worker queues with their keys and the server’s own queues', async () => {
        const port = (server.address() as AddressInfo).port;
        const up = await otherApp({
          env: { DANE_RABBITMQ__MANAGEMENT_HOST: '127.0.0.1', DANE_RABBITMQ__MANAGEMENT_PORT: String(port), DANE_RABBITMQ__USER: 'dane', DANE_RABBITMQ__PASSWORD: 'secret' },
        });
        const res = await request(up.getHttpServer()).get('/manage/api/queues').expect(200);
        expect(res.body).toEqual({
          exchange: 'DANE-exchange',
          vhost: '/',
          workers: [
            { name: 'ASR', active_workers: 2, in_queue: 5, binding_keys: ['ASR'] },
            { name: 'DOWNLOAD', active_workers: 0, in_queue: 12, binding_keys: ['DOWNLOAD'] },
          ],
          server: [
            { name: 'DANE-response-queue', role: 'response', consumers: 1, messages: 0 },
            { name: 'DANE-results', role: 'results', consumers: 1, messages: 0 },
            { name: 'DANE-scheduler-wakeups-0123456789ab', role: 'scheduler-wakeups', consumers: 1, messages: 0 },
            { name: 'DANE-scheduler-wakeups-fedcba987654', role: 'scheduler-wakeups', consumers: 1, messages: 0 },
          ],
        });
        const off = await otherApp({ env: { DANE_RABBITMQ__MANAGEMENT: 'false' } });
        expect((await request(off.getHttpServer()).get('/manage/api/queues').expect(503)).body.message).toMatch(/RABBITMQ\.MANAGEMENT is false/);
      });
    });
  });

  describe('GET /DANE/workers/<task_key>', () => {
    it('answers {total, tasks} with the tasks of the key that errored or wait for a person', async () => {
      const failed = await assign('W-ERR-1', 'ERRKEY', TaskState.ERROR);
      const denied = await assign('W-ERR-2', 'ERRKEY', TaskState.ACCESS_DENIED);
      const retrying = await assign('W-ERR-3', 'ERRKEY', TaskState.ERROR_PROXY);
      await assign('W-ERR-4', 'ERRKEY', TaskState.SUCCESS);
      await assign('W-ERR-5', 'ERRKEY', TaskState.QUEUED);
      await assign('W-ERR-6', 'ERRKEY', TaskState.CREATED);
      await assign('W-ERR-7', 'ERRKEY', TaskState.UNFINISHED_DEPENDENCY);
      await assign('W-ERR-8', 'OTHERKEY', TaskState.ERROR);
      const res = await http().get('/DANE/workers/errkey').expect(200);
      expect(res.body.total).toBe(3);
      expect(res.body.tasks.map((t: { _id: string }) => t._id)).toEqual([failed, denied, retrying]);
      expect(res.body.tasks[0].state).toBe('500');
      const page = await http().get('/DANE/workers/ERRKEY/?page=2&size=2').expect(200);
      expect(page.body).toMatchObject({ total: 3, tasks: [{ _id: retrying }] });
      expect((await http().get('/DANE/workers/ERRKEY?size=x').expect(400)).body.message).toMatch(/^size must be/);
    });
  });

  describe('GET /DANE/workers/<task_key>/reset[/<state>]', () => {
    it('puts every task of the key in 500 (by default) in 205 "Manual reset", leaving updated_at', async () => {
      const a = await assign('W-RESET-1', 'RESETKEY', TaskState.ERROR);
      const b = await assign('W-RESET-2', 'RESETKEY', TaskState.ERROR);
      const notFound = await assign('W-RESET-3', 'RESETKEY', TaskState.NOT_FOUND);
      const before = (await http().get(`/DANE/task/${a}`).expect(200)).body;
      await new Promise((r) => setTimeout(r, 1100)); // timestamps have whole seconds
      const res = await http().get('/DANE/workers/resetkey/reset').expect(200);
      expect(res.body).toEqual({ total: 2, error: '' });
      for (const id of [a, b]) expect((await http().get(`/DANE/task/${id}`).expect(200)).body).toMatchObject({ state: '205', msg: 'Manual reset' });
      expect((await http().get(`/DANE/task/${a}`).expect(200)).body.updated_at).toBe(before.updated_at);
      expect((await http().get(`/DANE/task/${notFound}`).expect(200)).body.state).toBe('404');
      expect((await http().get('/DANE/workers/RESETKEY/reset/').expect(200)).body).toEqual({ total: 0, error: 'No tasks affected' });
      expect((await http().get('/DANE/workers/RESETKEY/reset/404').expect(200)).body).toEqual({ total: 1, error: '' });
      expect((await http().get(`/DANE/task/${notFound}`).expect(200)).body.state).toBe('205');
    });

    it.each(['abc', '999', '409', '-1', '5e2'])('answers 400 for the state %s, changing nothing', async (state) => {
      const id = await assign(`W-RESET-BAD-${state}`, 'BADRESET', TaskState.ERROR);
      const res = await http().get(`/DANE/workers/BADRESET/reset/${state}`).expect(400);
      expect(res.body.message).toMatch(/^state must be one of the task states 102, 200, 201/);
      expect((await http().get(`/DANE/task/${id}`).expect(200)).body.state).toBe('500');
    });

    it('answers 400 for a task key that cannot be one', async () => {
      expect((await http().get('/DANE/workers/bad%20key/reset').expect(400)).body.message).toMatch(/^task_key may only contain/);
    });
  });

  describe('GET /health and /ready', () => {
    it('/health answers 200 with an empty body', async () => {
      const res = await http().get('/health').expect(200);
      expect(res.text).toBe('');
    });

    it('/ready answers 200 with the database up and no broker connection in this process', async () => {
      expect((await http().get('/ready').expect(200)).body).toEqual({ database: '200 OK', messagequeue: 'not connected' });
      // ApiModule.forRoot({ broker: false }): no connection anywhere in the app, not even through another module.
      expect(() => app.get(AmqpConnection, { strict: false })).toThrow();
    });

    it('/ready reports the broker through the brokerHealth option', async () => {
      const up = await otherApp({ brokerHealth: new AmqpConnectCheck(RABBIT_URL) });
      expect((await request(up.getHttpServer()).get('/ready').expect(200)).body).toEqual({ database: '200 OK', messagequeue: '200 OK' });
      const port = await freePort();
      const down = await otherApp({ brokerHealth: new AmqpConnectCheck(`amqp://guest:guest@127.0.0.1:${port}`) });
      expect((await request(down.getHttpServer()).get('/ready').expect(503)).body).toEqual({ database: '200 OK', messagequeue: '502 Bad Gateway' });
    });

    it('/ready answers 503 when the store is gone', async () => {
      const own = await createSqlStore({ kind: 'pglite' });
      const closedStoreApp = await otherApp({}, own);
      await own.close();
      expect((await request(closedStoreApp.getHttpServer()).get('/ready').expect(503)).body).toEqual({ database: '502 Bad Gateway', messagequeue: 'not connected' });
    });
  });
});
