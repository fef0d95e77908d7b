import { Global, Module } from '@nestjs/common';
import { TaskMetrics } from './task-metrics';

/**
 * Provides the process's TaskMetrics to every module (services inject it with @Optional()). The
 * API's OpsModule imports it, so the api alone and single-machine mode (`npm start`) have it.
 */
@Global()
@Module({ providers: [TaskMetrics], exports: [TaskMetrics] })
export class TaskMetricsModule {}
