import { Global, Module } from '@nestjs/common';
import { FlowMetrics } from './flow-metrics';
import { TaskMetrics } from './task-metrics';

/**
 * The process's metrics (one prom-client registry): TaskMetrics (histograms of the task flow) and
 * FlowMetrics (counters of dispatch, replies, results, sweeps, events). Every app imports it — the
 * api through OpsModule, scheduler and results through MetricsServerModule — so the services that
 * count receive them by injection.
 */
@Global()
@Module({ providers: [TaskMetrics, FlowMetrics], exports: [TaskMetrics, FlowMetrics] })
export class TaskMetricsModule {}
