import { Module } from '@nestjs/common';
import { WorkerQueueService } from '@dane/core';
import { DashboardController } from './dashboard.controller';
import { DashboardEvents } from './dashboard-events.service';
import { DashboardFeed } from './dashboard-feed.service';
import { StoreReader } from './store-reader.service';

/**
 * The live dashboard at /manage. Needs the global DANE_STORE, like the rest of the API; with a
 * broker in the process (DaneBrokerModule, global) its stream carries the deployment's DANE-events.
 */
@Module({
  controllers: [DashboardController],
  providers: [StoreReader, DashboardEvents, DashboardFeed, WorkerQueueService],
})
export class DashboardModule {}
