import { Module } from '@nestjs/common';
import { DaneBrokerModule } from '@dane/core';
import { TaskMetricsModule } from '@dane/core/metrics';
import { ResultConsumer } from './result.consumer';

/**
 * Result intake from workers over the broker. Needs DaneConfigModule and `StorageModule.forRoot({ events: true })`
 * in the root; imports the broker connection and metrics it uses.
 */
@Module({
  imports: [DaneBrokerModule, TaskMetricsModule],
  providers: [ResultConsumer],
  exports: [ResultConsumer],
})
export class ResultsModule {}
