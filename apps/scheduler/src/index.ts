export * from './scheduler.module';
export * from './scheduler-settings';
export * from './broker.provider';
export * from './dispatch.service';
export * from './reply.consumer';
export * from './reply-envelope';
export * from './sweeper.service';
export * from './dependency.service';
