import { amqpConnectionProviders } from '@dane/core';

/** The results app's own connection: its consumer must not share a fate with the scheduler's. */
export const RESULTS_BROKER = Symbol('RESULTS_BROKER');
export const RESULTS_AMQP_SETTINGS = Symbol('RESULTS_AMQP_SETTINGS');

export const resultsBrokerProviders = amqpConnectionProviders('results', RESULTS_BROKER, RESULTS_AMQP_SETTINGS);
