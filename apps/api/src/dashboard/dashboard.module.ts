import { Module } from '@nestjs/common';
import { DashboardController } from './dashboard.controller';
import { DashboardFeed } from './dashboard-feed.service';
import { StoreReader } from './store-reader.service';

/** The live dashboard at /manage. Needs the global DANE_STORE, like the rest of the API. */
@Module({
  controllers: [DashboardController],
  providers: [StoreReader, DashboardFeed],
})
export class DashboardModule {}
