import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { DocumentService, ReadinessService, ResultService, TaskActionService, TaskAssignmentService, TaskService, WorkerQueueService } from '@dane/core';
import { AuthModule } from './auth/auth.module';
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
import { InputLimitsInterceptor } from './middleware/input-limits.interceptor';
import { OpsModule } from './ops/ops.module';

const SERVICES = [DocumentService, TaskService, TaskAssignmentService, TaskActionService, ResultService, WorkerQueueService, ReadinessService];

/**
 * The DANE REST API (docs/protocol.md, REST API; docs/protocol.md, Legacy routes). Expects the host to
 * provide DANE_STORE (StorageModule.forRoot()) and ConfigService (DaneConfigModule.forRoot()) globally;
 * BROKER_HEALTH, when a global module of the host binds it, feeds `/ready`. AuthModule puts API keys and
 * roles on every route (AUTH section). Call `configureApiApp(app)` before `app.init()`/`listen()`.
 */
@Module({
  imports: [AuthModule, DashboardModule, OpsModule],
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
  providers: [...SERVICES, { provide: APP_INTERCEPTOR, useClass: InputLimitsInterceptor }],
  exports: SERVICES,
})
export class ApiModule {}
