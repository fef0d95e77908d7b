import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { TaskMetricsModule } from '@dane/core/metrics';
import { ReadinessService } from '@dane/core/services/readiness.service';
import { MetricsController } from './metrics.controller';
import { OpsHealthController } from './ops-health.controller';
import { OpsMetricsService } from './ops-metrics.service';
import { RequestLogFieldsInterceptor } from './request-log-fields.interceptor';

/**
 * Operations of the API process: `GET /metrics` (Prometheus) and the terminus probes
 * `GET /health/live`, `GET /health/ready`; the ids a request is about for its log line
 * (`res.locals.logFields`). Makes TaskMetrics global, so the scheduler and results
 * services of the same process (single-machine mode) feed it through their optional hooks.
 */
@Module({
  imports: [TaskMetricsModule, TerminusModule.forRoot({ errorLogStyle: 'json', logger: false })],
  controllers: [MetricsController, OpsHealthController],
  providers: [OpsMetricsService, ReadinessService, { provide: APP_INTERCEPTOR, useClass: RequestLogFieldsInterceptor }],
})
export class OpsModule {}
