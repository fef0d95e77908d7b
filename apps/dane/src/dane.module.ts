import { DynamicModule, Module } from '@nestjs/common';
import { DaneConfigModule, LoadConfigOptions, StorageModule } from '@dane/core';
import { ApiModule } from '@dane/api';
import { ResultsModule } from '@dane/results';
import { SchedulerModule } from '@dane/scheduler';

/** Single-machine mode: api + scheduler + results in one process (docs/architecture.md, Single-machine mode). */
@Module({})
export class DaneModule {
  static forRoot(options: LoadConfigOptions = {}): DynamicModule {
    return {
      module: DaneModule,
      imports: [DaneConfigModule.forRoot(options), StorageModule.forRoot(), ApiModule, SchedulerModule, ResultsModule],
    };
  }
}
