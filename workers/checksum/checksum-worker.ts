import { createHash, getHashes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import {
  ConfigError,
  type DaneDocument,
  TaskState,
  apiClientFor,
  DaneApiError,
  DaneWorker,
  loadWorkerConfig,
  type DaneWorkerOptions,
  type ResultList,
  type TaskContext,
  type WorkerOutcome,
  type WorkerTask,
} from '@dane/worker';

const UPSTREAM_KEY = 'DOWNLOAD';

/**
 * CHECKSUM: hashes the file DOWNLOAD fetched. It declares no dependsOn: the submitter assigns it
 * with depends_on ["DOWNLOAD"] and the server holds it until DOWNLOAD is 200. The worker never
 * reads the store; it asks the API for DOWNLOAD's result (`payload.file_path`).
 */
export class ChecksumWorker extends DaneWorker {
  readonly algorithm: string;

  constructor(options: Partial<DaneWorkerOptions> = {}) {
    const config = options.config ?? loadWorkerConfig(__dirname);
    const section = config.CHECKSUM_WORKER ?? {};
    super({ queue: String(section.QUEUE ?? 'CHECKSUM'), bindingKey: '#.CHECKSUM', ...options, config });
    this.algorithm = String(section.ALGORITHM ?? 'sha256').toLowerCase();
    if (!getHashes().includes(this.algorithm)) throw new ConfigError(`CHECKSUM_WORKER.ALGORITHM ${JSON.stringify(this.algorithm)} is not a hash node:crypto knows`);
  }

  async callback(_task: WorkerTask, document: DaneDocument, ctx: TaskContext): Promise<WorkerOutcome> {
    // DANE_TOKEN or DANE.API_TOKEN: a key with the read role when the API has AUTH.ENABLED.
    const api = apiClientFor(this.config);
    let list: ResultList;
    try {
      list = await api.getResults(document._id, UPSTREAM_KEY);
    } catch (e) {
      if (e instanceof DaneApiError && e.status !== undefined && e.status >= 500) return { state: TaskState.ERROR_PROXY, message: e.message };
      return { state: TaskState.ERROR, message: `Cannot read the ${UPSTREAM_KEY} result: ${e.message}` };
    }
    // Several runs leave several results; like the Python workers, take the first usable one.
    const filePath = list.results.map((r) => r.payload?.file_path).find((p): p is string => typeof p === 'string');
    if (!filePath) {
      return { state: TaskState.ERROR_INVALID_INPUT, message: `No ${UPSTREAM_KEY} result with a file_path for document ${document._id}` };
    }
    let checksum: string;
    try {
      const hash = createHash(this.algorithm);
      for await (const chunk of createReadStream(filePath)) hash.update(chunk);
      checksum = hash.digest('hex');
    } catch (e) {
      if (e.code === 'ENOENT') return { state: TaskState.NOT_FOUND, message: `Downloaded file ${filePath} is not on this worker's disk` };
      throw e;
    }
    await ctx.saveResult({ algorithm: this.algorithm, checksum, file_path: filePath });
    return { state: TaskState.SUCCESS, message: `${this.algorithm} ${checksum}` };
  }
}
