import { runWorkerCli } from '@dane/worker';
import { ChecksumWorker } from './checksum-worker';

// node dist/workers/checksum/main.js [--document ID … | --documents-list FILE] [--api-url URL]
void runWorkerCli(ChecksumWorker);
