import { Inject, Injectable } from '@nestjs/common';
import { DANE_STORE, DaneStore } from '../storage/store.port';
import { BROKER_HEALTH, BrokerHealth } from './broker-health';
import { within } from '../util/within';

const UP = '200 OK';
const DOWN = '502 Bad Gateway';
const NOT_CONNECTED = 'not connected';

export interface Readiness {
  ready: boolean;
  body: { database: string; messagequeue: string };
}

const CHECK_TIMEOUT_MS = 3000;

/**
 * `/ready` (docs/protocol.md, Health, readiness and operations routes): the store must answer; the broker
 * must too when this process holds a broker connection (BROKER_HEALTH not null). An API without one reports "not
 * connected" and stays ready.
 */
@Injectable()
export class ReadinessService {
  constructor(
    @Inject(DANE_STORE) private readonly store: DaneStore,
    @Inject(BROKER_HEALTH) private readonly broker: BrokerHealth | null,
  ) {}

  async check(): Promise<Readiness> {
    const database = await within(this.store.ping(), CHECK_TIMEOUT_MS).then(
      () => UP,
      () => DOWN,
    );
    let messagequeue = NOT_CONNECTED;
    if (this.broker) {
      messagequeue = await within(this.broker.check(), CHECK_TIMEOUT_MS).then(
        (ok) => (ok ? UP : DOWN),
        () => DOWN,
      );
    }
    return { ready: database === UP && messagequeue !== DOWN, body: { database, messagequeue } };
  }
}
