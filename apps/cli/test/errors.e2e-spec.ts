import { ApiServer, startApiServer } from '../../../test/support/api-server';
import { freePort } from '../../../test/support/net';
import { dane } from '../../../test/support/run-dane';

describe('dane: help, usage errors and an unreachable server', () => {
  it('documents the commands and the exit codes in --help (exit 0)', async () => {
    const res = await dane(['--help']);
    expect(res.code).toBe(0);
    for (const command of ['up', 'submit', 'status', 'tasks', 'watch', 'retry', 'reset', 'results', 'worker']) expect(res.stdout).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
    expect(res.stdout).toMatch(/^ {2}results +results of a task, of every task of a key, or of a document$/m);
    expect(res.stdout).toContain('Exit codes:\n  0  ok\n  1  the server reported a failure');
    expect(res.stdout).toContain('  3  the server is unreachable');
    expect(res.stdout).toContain('  4  some items failed');
  });

  it('shows a command help with `dane help <command>` and `dane <command> --help`', async () => {
    expect((await dane(['help', 'submit'])).stdout).toMatch(/^Usage: dane submit/);
    expect((await dane(['tasks', '-h'])).stdout).toMatch(/^Usage: dane tasks/);
    expect((await dane(['results', '--help'])).stdout).toContain('dane results --key KEY [--limit N]');
  });

  it.each([
    [['frobnicate'], /unknown command "frobnicate"; commands: up, submit/],
    [['tasks', '--colour'], /Unknown option '--colour'/],
    [['tasks', '--size', 'many'], /--size must be a whole number 1\.\.1000 \(got "many"\)/],
    [['submit'], /give one folder or file to submit/],
    [['retry'], /give one task id/],
    [['watch', '--interval', '0'], /--interval must be a number of seconds/],
  ])('exits 2 on a usage error: dane %j', async (argv, message) => {
    const res = await dane(argv);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(res.stderr).toMatch(/see `dane .*--help`/);
  });

  it('exits 3 when nothing listens, naming the URL and how to start DANE', async () => {
    const port = await freePort();
    const res = await dane(['tasks', '--url', `127.0.0.1:${port}`]);
    expect(res.code).toBe(3);
    expect(res.stderr).toBe(
      `dane: Cannot reach the DANE server at http://127.0.0.1:${port} (ECONNREFUSED)\n` +
        '  start DANE with `dane up` (or `npm start` in the dane-node folder), or point --url / DANE_URL at a running server\n',
    );
  });

  it('reads the server from DANE_URL, and reports errors as JSON on stderr with --json', async () => {
    const port = await freePort();
    const res = await dane(['status', 'x', '--json'], { env: { DANE_URL: `http://127.0.0.1:${port}/DANE/` } });
    expect(res.code).toBe(3);
    expect(res.stdout).toBe('');
    expect(JSON.parse(res.stderr)).toMatchObject({ error: `Cannot reach the DANE server at http://127.0.0.1:${port} (ECONNREFUSED)`, exit_code: 3 });
  });

  describe('with a server', () => {
    let server: ApiServer;
    beforeAll(async () => {
      server = await startApiServer();
    });
    afterAll(() => server.close());

    it('puts global options before or after the command', async () => {
      const res = await dane(['--url', server.url, '--json', 'tasks']);
      expect(res.code).toBe(0);
      expect(JSON.parse(res.stdout)).toEqual({ total: 0, page: 1, size: 50, tasks: [] });
    });
  });
});
