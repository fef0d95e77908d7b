/** The RABBITMQ section as AmqpSettings (DaneBrokerModule). */
export const AMQP_SETTINGS = Symbol('AMQP_SETTINGS');
