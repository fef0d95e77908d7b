import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrokerNames, Build, DaneServer, DaneSetup, NodeProcess, REPO_ROOT, TestDatabase, buildPrivateDist, commonEnv, createDatabase, waitFor } from '../support/dane-processes';

const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';
/** The packages in build order (each depends only on the ones before it) and their folders. */
const PACKAGES = ['@dane/protocol', '@dane/client', '@dane/worker', '@dane/cli'];
const FOLDERS: Record<string, string> = { '@dane/protocol': 'libs/protocol', '@dane/client': 'libs/client-sdk', '@dane/worker': 'libs/worker-sdk', '@dane/cli': 'apps/cli' };
const FIXTURES = join(__dirname, 'outside-project');

/**
 * `npm pack` of each package as its workspace defines it (package.json, README, tsconfig.build.json, src), built
 * and packed in a copy of the tree under `stage`: building in the repository would leave `libs/*\/dist` behind,
 * which Node then resolves for `@dane/protocol` through the workspace link instead of the sources (the Nest CLI
 * leaves a resolvable import unrewritten). The copy's node_modules links the repository's, except `@dane/*`,
 * which link the copies.
 */
async function packInCopy(stage: string, tarballs: string): Promise<void> {
  for (const f of ['tsconfig.json', 'tsconfig.package.json']) {
    await mkdir(stage, { recursive: true });
    await copyFile(join(REPO_ROOT, f), join(stage, f));
  }
  const modules = join(stage, 'node_modules');
  await mkdir(join(modules, '@dane'), { recursive: true });
  for (const entry of await readdir(join(REPO_ROOT, 'node_modules'))) {
    if (entry !== '@dane' && entry !== '.bin') await symlink(join(REPO_ROOT, 'node_modules', entry), join(modules, entry));
  }
  for (const pkg of PACKAGES) {
    const folder = FOLDERS[pkg];
    await cp(join(REPO_ROOT, folder), join(stage, folder), { recursive: true, filter: (src) => !/[/\\](dist|test|node_modules)$/.test(src) });
    await symlink(join(stage, folder), join(modules, ...pkg.split('/')));
    ok(await run(join(REPO_ROOT, 'node_modules', '.bin', 'tsc'), ['-p', join(stage, folder, 'tsconfig.build.json')], stage), `tsc of ${pkg}`);
    ok(await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', tarballs], join(stage, folder), outsideEnv()), `npm pack of ${pkg}`);
  }
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (bounded); never throws, the caller asserts on the exit code with the output at hand. */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env, timeoutMs = 300_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function ok(r: Run, what: string): Run {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code})\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
  return r;
}

/** The environment of a process of the outside project: no NODE_PATH, nothing of this repository. */
function outsideEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of ['PATH', 'HOME', 'LANG', 'TZ']) if (process.env[k] !== undefined) env[k] = process.env[k]!;
  return { ...env, ...extra };
}

/**
 * The packages as a team outside this repository gets them: `npm pack` of each workspace package,
 * a new project in the system's temp folder, `npm install` of the tarballs (their dependencies come
 * from the npm registry, nothing from this repository), a strict type-check, and then a function-form
 * worker, a Nest microservice worker and a client script of that project against a real server:
 * tasks reach 200, results are stored and read back with the client, and the typed error NeedsPerson
 * thrown by either worker leaves its task waiting for a person in the state it names.
 */
describe('the npm packages, installed into a project outside the repository', () => {
  const names = new BrokerNames('outside');
  const keys = { words: names.key('WORDS'), lines: names.key('LINES') };
  let project: string;
  let build: Build;
  let db: TestDatabase;
  let setup: DaneSetup;
  let server: DaneServer;
  const workers: NodeProcess[] = [];

  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'dane-outside-project-'));
    const tarballs = join(project, 'tarballs');
    await mkdir(tarballs);
    // The private server build runs beside the packing and the install (they are independent).
    const serverReady = (async () => {
      [build, db] = await Promise.all([buildPrivateDist('outside'), createDatabase('outside')]);
      setup = { build, db, names, home: project, amqpPort: 5672 };
      server = await new DaneServer(setup, {}).start();
    })();
    await packInCopy(join(project, 'stage'), tarballs);
    const files = (await readdir(tarballs)).filter((f) => f.endsWith('.tgz'));
    expect(files).toHaveLength(PACKAGES.length);

    const root = require(join(REPO_ROOT, 'package.json')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const version = (name: string) => `${name}@${root.dependencies[name] ?? root.devDependencies[name]}`;
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'outside-team-workers', version: '1.0.0', private: true }, null, 2));
    for (const f of ['fn-worker.ts', 'nest-worker.ts', 'client.ts', 'tsconfig.json']) await copyFile(join(FIXTURES, f), join(project, f));
    const deps = ['typescript', '@types/node', '@nestjs/common', '@nestjs/core', '@nestjs/microservices', 'rxjs', 'reflect-metadata'].map(version);
    ok(
      await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...files.map((f) => `./tarballs/${f}`), ...deps], project, outsideEnv()),
      'npm install of the tarballs',
    );
    await serverReady;
  }, 900_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await server?.stop();
    await names.cleanup(AMQP_URL, [`${keys.words.toLowerCase()}_queue`, `${keys.lines.toLowerCase()}_queue`]).catch(() => undefined);
    await db?.drop();
    await build?.remove();
    if (project) await rm(project, { recursive: true, force: true });
  }, 120_000);

  it('each tarball holds compiled JS, .d.ts and a README, and nothing of the sources or tests', async () => {
    for (const pkg of PACKAGES) {
      const dir = join(project, 'node_modules', ...pkg.split('/'));
      const manifest = require(join(dir, 'package.json')) as { exports: Record<string, unknown>; files: string[]; dependencies?: Record<string, string> };
      expect(manifest.files).toEqual(['dist', 'README.md']);
      const listed = await run('find', ['.', '-type', 'f', '-not', '-path', './node_modules/*'], dir);
      const paths = listed.stdout.split('\n').filter(Boolean);
      expect(paths).toContain('./README.md');
      expect(paths.some((p) => p.endsWith('.d.ts'))).toBe(true);
      expect(paths.filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts'))).toEqual([]);
      expect(paths.filter((p) => /spec|\/test\//.test(p))).toEqual([]);
      for (const dep of Object.keys(manifest.dependencies ?? {})) expect(dep.startsWith('@dane/') ? PACKAGES : [dep]).toContain(dep);
    }
  });

  it('type-checks strictly (node16 module resolution through the packages\u2019 exports)', async () => {
    ok(await run(join(project, 'node_modules', '.bin', 'tsc'), ['-p', '.'], project, outsideEnv()), 'tsc -p . in the outside project');
  }, 120_000);

  it('installs the dane command', async () => {
    const help = ok(await run(join(project, 'node_modules', '.bin', 'dane'), ['--help'], project, outsideEnv()), 'dane --help');
    expect(help.stdout).toMatch(/dane/);
  });

  it('runs a function-form worker and a Nest microservice worker; the client sees both tasks reach 200 and reads their results', async () => {
    const env = outsideEnv({ ...commonEnv(setup), DANE_DANE__API_URL: `${server.baseUrl}/DANE/`, WORDS_KEY: keys.words, LINES_KEY: keys.lines });
    for (const [label, script] of [
      ['fn-worker', 'fn-worker.js'],
      ['nest-worker', 'nest-worker.js'],
    ]) {
      workers.push(new NodeProcess(label, join(project, 'dist', script), env, project, { baseEnv: 'none' }));
    }
    await waitFor('the Nest worker listening', () => workers[1].lines.some((l) => l.includes('nest_worker_listening')), 30_000).catch((e) => {
      throw new Error(`${e.message}\n${workers.map((w) => w.tail()).join('\n')}`);
    });

    const file = join(project, 'input.txt');
    await writeFile(file, 'the quick brown fox\njumps over\n\nthe lazy dog\n');
    const targetId = `itm-outside-${randomBytes(4).toString('hex')}`;
    const client = await run(
      process.execPath,
      [join(project, 'dist', 'client.js'), file, join(project, 'no-such-file.txt'), targetId, keys.words, keys.lines],
      project,
      outsideEnv({ DANE_URL: server.baseUrl, DANE_TOKEN: server.token }),
      120_000,
    );
    if (client.code !== 0) throw new Error(`client failed\n${client.stderr}\n${workers.map((w) => w.tail()).join('\n')}\n${server.process.tail()}`);
    const out = JSON.parse(client.stdout.trim().split('\n').pop()!);
    expect(out.target).toBe(targetId.toUpperCase());
    expect(out[keys.words]).toEqual({ state: 200, done: true, isDone: true, payloads: [{ words: 9, target: targetId.toUpperCase() }] });
    expect(out[keys.lines]).toEqual({ state: 200, done: true, isDone: true, payloads: [{ lines: 3 }] });
    // NeedsPerson thrown by either form: the task waits for a person in 404 with the handler's message.
    const missing = join(project, 'no-such-file.txt');
    expect(out.missing).toEqual({
      [keys.words]: { state: 404, msg: `cannot read ${missing}` },
      [keys.lines]: { state: 404, msg: `no file at ${missing}` },
    });
  }, 180_000);
});
