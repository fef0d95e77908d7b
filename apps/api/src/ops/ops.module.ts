import { DynamicModule, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TerminusModule } from '@nestjs/terminus';
import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import { TaskMetrics, TaskMetricsModule } from '@dane/core/metrics';
import { ReadinessService } from '@dane/core/services/readiness.service';
import { DANE_STORE, DaneStore } from '@dane/core/storage/store.port';
import { ApiModuleOptions, brokerWiring } from '../api-module-options';
import { MetricsController } from './metrics.controller';
import { OpsHealthController } from './ops-health.controller';
import { OpsMetricsService } from './ops-metrics.service';

/**
 * Operations of the API process: `GET /metrics` (Prometheus) and the terminus probes
 * `GET /health/live`, `GET /health/ready`; the ids a request is about for its log line
 * (`res.locals.logFields`). Imports TaskMetricsModule, the same instance the scheduler and results
 * modules of the process import, so in single-machine mode `/metrics` shows their counters too.
 * With `broker: true` it imports DaneBrokerModule (queue depths over the connection, `/ready`);
 * without, BROKER_HEALTH is bound explicitly (brokerWiring).
 */
@Module({})
export class OpsModule {
  static forRoot(options: ApiModuleOptions): DynamicModule {
    const broker = brokerWiring(options);
    const metrics = {
      provide: OpsMetricsService,
      inject: [TaskMetrics, DANE_STORE, ConfigService, ...(options.broker ? [AmqpConnection] : [])],
      useFactory: (metrics: TaskMetrics, store: DaneStore, config: ConfigService, amqp?: AmqpConnection) => new OpsMetricsService(metrics, store, config, amqp),
    };
    return {
      module: OpsModule,
      imports: [TaskMetricsModule, TerminusModule.forRoot({ errorLogStyle: 'json', logger: false }), ...broker.imports],
      controllers: [MetricsController, OpsHealthController],
      providers: [metrics, ReadinessService, ...broker.providers],
    };
  }
}
