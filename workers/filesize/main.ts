import { runWorkerCli } from '@dane/worker';
import { FilesizeWorker } from './filesize-worker';

// node dist/workers/filesize/main.js [--document ID … | --documents-list FILE] [--api-url URL]
void runWorkerCli(FilesizeWorker);
