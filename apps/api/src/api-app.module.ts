import { Module } from '@nestjs/common';
import { DaneConfigModule, StorageModule } from '@dane/core';
import { ApiModule } from './api.module';

/** The API running alone: config, store and routes. */
@Module({
  imports: [DaneConfigModule.forRoot(), StorageModule.forRoot(), ApiModule],
})
export class ApiAppModule {}
