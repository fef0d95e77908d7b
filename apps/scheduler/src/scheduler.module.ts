import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { BROKER_HEALTH } from '@dane/core/services/broker-health';
import { TaskAssignmentService } from '@dane/core/services/task-assignment.service';
import { schedulerBrokerProviders } from './broker.provider';
import { DependencyService } from './dependency.service';
import { DispatchService } from './dispatch.service';
import { ReplyConsumer } from './reply.consumer';
import { SCHEDULER_SETTINGS, schedulerSettings } from './scheduler-settings';
import { SweeperService } from './sweeper.service';

/**
 * The state machine's moving parts: claim + dispatch, the reply consumer, dependency release,
 * retries and the lease sweep. Needs DaneConfigModule and StorageModule in the root. Global so the
 * API's readiness check sees the broker connection in single-machine mode (BROKER_HEALTH).
 */
@Global()
@Module({
  providers: [
    { provide: SCHEDULER_SETTINGS, inject: [ConfigService], useFactory: schedulerSettings },
    ...schedulerBrokerProviders,
    TaskAssignmentService,
    DependencyService,
    DispatchService,
    ReplyConsumer,
    SweeperService,
  ],
  exports: [BROKER_HEALTH, DispatchService, ReplyConsumer, SweeperService, DependencyService],
})
export class SchedulerModule {}
