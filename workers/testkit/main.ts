import { runWorkerCli } from '@dane/worker';
import { SlowWorker } from './slow-worker';

// node dist/workers/testkit/main.js — configured by DANE_TESTKIT__* (see slow-worker.ts)
void runWorkerCli(SlowWorker);
