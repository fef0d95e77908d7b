import { Module } from '@nestjs/common';
import {
  DocumentService,
  ReadinessService,
  ResultService,
  TaskActionService,
  TaskAssignmentService,
  TaskService,
  WorkerQueueService,
} from '@dane/core';
import { CreatorController } from './controllers/creator.controller';
import { DocumentController } from './controllers/document.controller';
import { DocumentsController } from './controllers/documents.controller';
import { HealthController } from './controllers/health.controller';
import { ResultController } from './controllers/result.controller';
import { ResultsController } from './controllers/results.controller';
import { SearchController } from './controllers/search.controller';
import { StatsController } from './controllers/stats.controller';
import { TaskController } from './controllers/task.controller';
import { WorkerController } from './controllers/worker.controller';
import { DashboardModule } from './dashboard/dashboard.module';

const SERVICES = [DocumentService, TaskService, TaskAssignmentService, TaskActionService, ResultService, WorkerQueueService, ReadinessService];

/**
 * The DANE REST API (§5.2, §5.7). Expects the host to provide DANE_STORE (StorageModule.forRoot())
 * and ConfigService (DaneConfigModule.forRoot()) globally; BROKER_HEALTH, when a global module of
 * the host binds it, feeds `/ready`. Call `configureApiApp(app)` before `app.init()`/`listen()`.
 */
@Module({
  imports: [DashboardModule],
  controllers: [
    HealthController,
    DocumentController,
    DocumentsController,
    SearchController,
    TaskController,
    ResultController,
    ResultsController,
    WorkerController,
    CreatorController,
    StatsController,
  ],
  providers: SERVICES,
  exports: SERVICES,
})
export class ApiModule {}
