import { ApiServer, startApiServer } from '../../../test/support/api-server';
import { dane } from '../../../test/support/run-dane';

const ADMIN_TOKEN = 'cli-admin-token-0123456789abcdef';

/** `dane keys` against a real API with keys on; the token comes from DANE_TOKEN, as users give it. */
describe('dane keys (API keys from the CLI)', () => {
  let server: ApiServer;

  beforeAll(async () => {
    server = await startApiServer({ DANE_AUTH__ENABLED: 'true', DANE_ADMIN_TOKEN: ADMIN_TOKEN, DANE_RABBITMQ__MANAGEMENT: 'false' });
  });
  afterAll(() => server?.close());

  const run = (argv: string[], token = ADMIN_TOKEN) => dane(['--url', server.url, ...argv], { env: { DANE_TOKEN: token } });

  it('creates a key shown once, lists it, and revokes it', async () => {
    const created = await run(['keys', 'create', 'ci runner', '--role', 'submit', '--json']);
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout) as { id: string; key: string; role: string };
    expect(key).toMatchObject({ role: 'submit', key: expect.stringMatching(/^dane_[0-9a-f]{16}_/) });

    const listed = await run(['keys', 'list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`${key.id}\\s+submit\\s+ci runner`));
    expect(listed.stdout).not.toContain(key.key);

    // The new key submits, but may not manage keys.
    const refused = await run(['keys', 'list'], key.key);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('This route needs the admin role; your key has submit');

    expect((await run(['keys', 'revoke', key.id])).code).toBe(0);
    const gone = await run(['keys', 'list'], key.key);
    expect(gone.stderr).toContain('Unknown or revoked API key');
  });

  it('says what it needs for a wrong role or action', async () => {
    const bad = await run(['keys', 'create', 'x', '--role', 'root']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/--role must be one of read, submit, operate, admin/);
    expect((await run(['keys', 'frobnicate'])).code).not.toBe(0);
  });
});
