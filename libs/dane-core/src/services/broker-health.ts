/**
 * The broker's health for `/ready`, always bound where ReadinessService is: DaneBrokerModule binds
 * it to its connection; a module without a broker binds it explicitly to `null` (or to a check of
 * its own, tests) — `ApiModule.forRoot({ broker: false })`, and `/ready` then reports "not
 * connected" for the message queue (the API alone needs no broker).
 */
export const BROKER_HEALTH = Symbol('BROKER_HEALTH');

export interface BrokerHealth {
  /** True when the broker connection is up. */
  check(): Promise<boolean>;
}
