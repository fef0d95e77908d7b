import { Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createServer, Server } from 'node:http';
import { TaskMetricsModule } from './metrics.module';
import { TaskMetrics } from './task-metrics';

/**
 * `GET /metrics` on a port of its own (METRICS.PORT; 0 or unset = off, METRICS.HOST default 0.0.0.0)
 * for processes without the API: scheduler and results replicas, so their dispatch latency and task
 * duration histograms can be scraped in a split deployment. Plain node:http, nothing else served.
 */
@Injectable()
class MetricsHttpServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: Server;
  private readonly logger = new Logger('Metrics');

  constructor(
    private readonly metrics: TaskMetrics,
    private readonly config: ConfigService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = Number(this.config.get('METRICS.PORT') ?? 0);
    if (!Number.isInteger(port) || port <= 0) return;
    const host = String(this.config.get('METRICS.HOST') ?? '0.0.0.0');
    this.server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '');
      if (req.method !== 'GET' || (path !== '/metrics' && path !== '/health')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not found"}');
        return;
      }
      if (path === '/health') {
        res.writeHead(200).end();
        return;
      }
      this.metrics.exposition().then(
        (body) => res.writeHead(200, { 'content-type': this.metrics.contentType, 'cache-control': 'no-store' }).end(body),
        (err) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ message: String(err?.message ?? err) })),
      );
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    this.logger.log(JSON.stringify({ event: 'metrics_listening', host, port, path: '/metrics' }));
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * TaskMetrics plus its own `/metrics` port: import it in a process without the API
 * (`@Module({ imports: [DaneConfigModule.forRoot(), StorageModule.forRoot({ events: true }), MetricsServerModule, SchedulerModule] })`)
 * and set DANE_METRICS__PORT. Serves the same registry as the process's other modules (TaskMetricsModule
 * is one instance per application). Needs the global ConfigService (DaneConfigModule).
 */
@Module({ imports: [TaskMetricsModule], providers: [MetricsHttpServer] })
export class MetricsServerModule {}
