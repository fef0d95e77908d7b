/**
 * Optional provider the hosting app binds when it holds a broker connection; `/ready` reports
 * "not connected" for the message queue when nothing is bound (the API alone needs no broker).
 */
export const BROKER_HEALTH = Symbol('BROKER_HEALTH');

export interface BrokerHealth {
  /** True when the broker connection is up. */
  check(): Promise<boolean>;
}
