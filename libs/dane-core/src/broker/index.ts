export * from './amqp-settings';
export * from './topology';
export * from './amqp-connection';
export * from './probe-broker';
export * from './broker.providers';
