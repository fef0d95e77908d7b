import { Module } from '@nestjs/common';
import { FlowMetrics } from './flow-metrics';
import { TaskMetrics } from './task-metrics';

/**
 * The process's metrics (one prom-client registry): TaskMetrics (histograms of the task flow) and
 * FlowMetrics (counters of dispatch, replies, results, sweeps, events). Not global: every module
 * whose providers count imports it — DaneBrokerModule (EventPublisher), SchedulerModule,
 * ResultsModule, the api's OpsModule, MetricsServerModule. A static module is one instance per
 * application however often it is imported, so a process has one registry, and single-machine
 * mode's `/metrics` shows the scheduler's and results' counters too.
 */
@Module({ providers: [TaskMetrics, FlowMetrics], exports: [TaskMetrics, FlowMetrics] })
export class TaskMetricsModule {}
