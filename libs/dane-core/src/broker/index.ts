export * from './probe-broker';
export * from './broker.tokens';
export * from './rabbitmq-config';
export * from './confirm-publisher';
export * from './batching-subscriber';
export * from './dane-broker.module';
export * from './queue-check';
export * from './byte-subscription';
