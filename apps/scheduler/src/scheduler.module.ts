import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DaneBrokerModule } from '@dane/core';
import { TaskMetricsModule } from '@dane/core/metrics';
import { CampaignService } from '@dane/core/services/campaign.service';
import { TaskCancellationService } from '@dane/core/services/task-cancellation.service';
import { TaskAssignmentService } from '@dane/core/services/task-assignment.service';
import { CampaignFeeder } from './campaign-feeder';
import { DependencyService } from './dependency.service';
import { DispatchWakeups } from './dispatch-wakeups';
import { DispatchService } from './dispatch.service';
import { EventWakeupsConsumer } from './event-wakeups.consumer';
import { ReplyConsumer } from './reply.consumer';
import { ResponseQueueGuard } from './response-queue-guard';
import { SCHEDULER_SETTINGS, schedulerSettings } from './scheduler-settings';
import { SweeperService } from './sweeper.service';

/**
 * The state machine's moving parts: claim + dispatch, the reply consumer, dependency release,
 * retries and the lease sweep, woken by DANE-events. Needs DaneConfigModule and
 * `StorageModule.forRoot({ events: true })` in the root; imports the process's broker connection
 * (DaneBrokerModule) and metrics (TaskMetricsModule), the instances other modules of the process share.
 */
@Module({
  imports: [DaneBrokerModule, TaskMetricsModule],
  providers: [
    { provide: SCHEDULER_SETTINGS, inject: [ConfigService], useFactory: schedulerSettings },
    TaskAssignmentService,
    DispatchWakeups,
    DependencyService,
    DispatchService,
    ResponseQueueGuard,
    ReplyConsumer,
    EventWakeupsConsumer,
    SweeperService,
    TaskCancellationService,
    CampaignService,
    CampaignFeeder,
  ],
  exports: [DispatchService, ReplyConsumer, SweeperService, DependencyService, EventWakeupsConsumer, CampaignFeeder],
})
export class SchedulerModule {}
