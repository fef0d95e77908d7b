import { runWorkerCli } from '@dane/worker';
import { DownloadWorker } from './download-worker';

// node dist/workers/download/main.js [--document ID … | --documents-list FILE] [--api-url URL]
void runWorkerCli(DownloadWorker);
