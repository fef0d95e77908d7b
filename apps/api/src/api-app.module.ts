import { Module } from '@nestjs/common';
import { DaneConfigModule, StorageModule } from '@dane/core';
import { ApiModule } from './api.module';

/** The API running alone: config, store (publishing its writes on DANE-events), broker and routes. */
@Module({
  imports: [DaneConfigModule.forRoot(), StorageModule.forRoot({ events: true }), ApiModule.forRoot({ broker: true })],
})
export class ApiAppModule {}
