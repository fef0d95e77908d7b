import { join } from 'node:path';
import { DaneClient } from '@dane/client';
import { ApiServer, startApiServer } from '../../../test/support/api-server';
import { documentInput } from '../../../test/support/fixtures';
import { seen } from './fixtures/echo-worker';
import { dane } from '../../../test/support/run-dane';

const FIXTURES = join(__dirname, 'fixtures');

describe('dane worker <module> (batch mode against a real API)', () => {
  let server: ApiServer;
  let client: DaneClient;

  beforeAll(async () => {
    server = await startApiServer();
    client = new DaneClient({ baseUrl: server.url });
  });
  afterAll(() => server.close());

  it('finds the exported DaneWorker subclass and runs it on a document fetched from --url', async () => {
    const doc = await client.document(documentInput('W-1')).register();
    const res = await dane(['worker', '--url', server.url, 'echo-worker.ts', '--document', doc._id!], { cwd: FIXTURES });
    expect(res.code).toBe(0);
    expect(seen).toContain(doc._id);
  });

  it('exits 2 when no document id is valid (the batch run names them in its log)', async () => {
    // dane's own --url may come after the module path too.
    const res = await dane(['worker', join(FIXTURES, 'echo-worker.ts'), '--document', 'nosuchdoc', '--url', server.url]);
    expect(res.code).toBe(2);
  });

  it('exits 2 for a module without a worker, listing what it exports', async () => {
    const res = await dane(['worker', 'not-a-worker.ts'], { cwd: FIXTURES });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('not-a-worker.ts has no exported DaneWorker subclass (exports: helper, VERSION)');
  });

  it('exits 2 for a path with no module', async () => {
    const res = await dane(['worker', 'missing.js'], { cwd: FIXTURES });
    expect(res).toMatchObject({ code: 2, stderr: expect.stringContaining('no worker module at missing.js') });
  });
});
