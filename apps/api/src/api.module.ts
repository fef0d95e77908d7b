import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  CampaignService,
  DocumentService,
  ReadinessService,
  ResultService,
  TaskActionService,
  TaskAssignmentService,
  TaskCancellationService,
  TaskClaimService,
  TaskService,
  WorkerQueueService,
} from '@dane/core';
import { ApiModuleOptions, brokerWiring } from './api-module-options';
import { AuthModule } from './auth/auth.module';
import { CampaignController } from './controllers/campaign.controller';
import { CreatorController } from './controllers/creator.controller';
import { DocumentController } from './controllers/document.controller';
import { DocumentsController } from './controllers/documents.controller';
import { HealthController } from './controllers/health.controller';
import { ResultController } from './controllers/result.controller';
import { ResultsController } from './controllers/results.controller';
import { SearchController } from './controllers/search.controller';
import { StatsController } from './controllers/stats.controller';
import { TaskController } from './controllers/task.controller';
import { TaskClaimController } from './controllers/task-claim.controller';
import { WorkerController } from './controllers/worker.controller';
import { DashboardModule } from './dashboard/dashboard.module';
import { InputLimitsCheck } from './middleware/input-limits.check';
import { ApiRequestGuard } from './http/api-request.guard';
import { OpsModule } from './ops/ops.module';

const SERVICES = [
  CampaignService,
  DocumentService,
  TaskService,
  TaskAssignmentService,
  TaskActionService,
  TaskCancellationService,
  TaskClaimService,
  ResultService,
  WorkerQueueService,
  ReadinessService,
];

const CONTROLLERS = [
  HealthController,
  DocumentController,
  DocumentsController,
  SearchController,
  TaskController,
  TaskClaimController,
  ResultController,
  ResultsController,
  WorkerController,
  CreatorController,
  StatsController,
  CampaignController,
];

/**
 * The DANE REST API (docs/protocol.md, REST API; docs/protocol.md, Legacy routes). Expects the host to
 * provide DANE_STORE (StorageModule.forRoot) and ConfigService (DaneConfigModule.forRoot), the two
 * global modules. `forRoot({ broker })` says whether the API holds the process's broker connection
 * (ApiModuleOptions): with it, it imports DaneBrokerModule itself (and its dashboard and ops modules
 * do), the one instance the scheduler and results modules share in one process; without it, it
 * never connects to RabbitMQ. AuthModule puts API keys and roles on every route (AUTH section).
 * Call `configureApiApp(app)` before `app.init()`/`listen()`.
 */
@Module({})
export class ApiModule {
  static forRoot(options: ApiModuleOptions): DynamicModule {
    const broker = brokerWiring(options);
    return {
      module: ApiModule,
      imports: [AuthModule, DashboardModule.forRoot(options), OpsModule.forRoot(options), ...broker.imports],
      controllers: CONTROLLERS,
      providers: [...SERVICES, ...broker.providers, InputLimitsCheck, { provide: APP_GUARD, useClass: ApiRequestGuard }],
      exports: SERVICES,
    };
  }
}
