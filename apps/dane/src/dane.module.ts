import { DynamicModule, Module } from '@nestjs/common';
import { DaneConfigModule, LoadConfigOptions, StorageModule } from '@dane/core';
import { ApiModule } from '@dane/api';
import { ResultsModule } from '@dane/results';
import { SchedulerModule } from '@dane/scheduler';

/**
 * Single-machine mode: api + scheduler + results in one process (docs/architecture.md, Single-machine mode).
 * The store publishes its writes' events and the API holds a broker connection, both said here; the API,
 * the scheduler, the results intake and the store all import DaneBrokerModule and TaskMetricsModule, one
 * instance each in the process: one connection, one event publisher, one metrics registry.
 */
@Module({})
export class DaneModule {
  static forRoot(options: LoadConfigOptions = {}): DynamicModule {
    return {
      module: DaneModule,
      imports: [DaneConfigModule.forRoot(options), StorageModule.forRoot({ events: true }), ApiModule.forRoot({ broker: true }), SchedulerModule, ResultsModule],
    };
  }
}
