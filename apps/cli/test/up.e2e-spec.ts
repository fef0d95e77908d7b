import { ApiServer, startApiServer } from '../../../test/support/api-server';
import { freePort } from '../../../test/support/net';
import { dane } from '../../../test/support/run-dane';

describe('dane up', () => {
  let server: ApiServer;
  beforeAll(async () => {
    server = await startApiServer();
  });
  afterAll(() => server.close());

  it('starts nothing when DANE already answers at the URL, and says where', async () => {
    const res = await dane(['up', '--url', server.url]);
    expect(res).toMatchObject({ code: 0, stdout: `DANE already answers at ${server.url} (dashboard: ${server.url}/manage)\n` });
  });

  // Tests run the TypeScript sources: there is no compiled app beside them, as before `npm run build`.
  it('says to build first when the single-machine app is not compiled (exit 2)', async () => {
    const res = await dane(['up', '--url', `127.0.0.1:${await freePort()}`]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^dane: the single-machine app is not built \(no .*apps\/dane\/src\/main\.js\); run `npm run build` first, or `npm start`/);
  });
});
