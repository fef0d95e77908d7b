import { Module } from '@nestjs/common';
import { DaneBrokerModule, DaneConfigModule, StorageModule } from '@dane/core';
import { ApiModule } from './api.module';

/** The API running alone: config, store (publishing its writes on DANE-events), broker and routes. */
@Module({
  imports: [DaneConfigModule.forRoot(), DaneBrokerModule, StorageModule.forRoot(), ApiModule],
})
export class ApiAppModule {}
