import { DaneStore } from '../store.port';
import { dispatchContract } from './contract/dispatch.contract';
import { documentContract } from './contract/documents.contract';
import { leaseContract } from './contract/leases.contract';
import { pagingContract } from './contract/paging.contract';
import { resultContract } from './contract/results.contract';
import { taskContract } from './contract/tasks.contract';
import { transitionContract } from './contract/transitions.contract';
import { wipe } from './store-contract.fixtures';

/**
 * The behaviour every DaneStore adapter must show, as one jest suite. An adapter's spec calls it
 * with a factory; the suite opens ONE store, empties it (through the port) before each test and
 * closes it at the end. Concurrency tests only prove something when the store can run statements
 * in parallel (e.g. a PostgreSQL pool of 2 or more).
 */
export function describeStoreContract(name: string, makeStore: () => Promise<DaneStore>): void {
  describe(`${name} store contract`, () => {
    let store: DaneStore | undefined;
    const current = (): DaneStore => {
      if (!store) throw new Error(`the ${name} store did not open`);
      return store;
    };

    beforeAll(async () => {
      store = await makeStore();
    });
    afterAll(async () => {
      await store?.close();
    });
    beforeEach(async () => {
      await wipe(current());
    });

    documentContract(current);
    taskContract(current);
    transitionContract(current);
    dispatchContract(current);
    leaseContract(current);
    resultContract(current);
    pagingContract(current);
  });
}
