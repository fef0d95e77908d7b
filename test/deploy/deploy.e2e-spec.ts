import * as amqp from 'amqplib';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { locateBaseDir } from '@dane/worker';
import { parseAllDocuments } from 'yaml';
import { freePort } from '../support/net';
import { NodeProcess } from '../support/node-process';
import { waitFor } from '../support/polling';
import { buildImageLayout, commandOf, dockerfiles, environmentOf, healthTestOf, parseDockerfile, readCompose, ROOT } from './compose-support';
import { CORE_SECTIONS, loadConfig } from '@dane/protocol';

/**
 * Deployment checks without a Docker engine: docker-compose.yml, the Dockerfile(s) and
 * .dockerignore read statically, then every container's start command run here against the
 * machine's RabbitMQ and PostgreSQL with the compose environment adapted to localhost.
 */
const compose = readCompose('docker-compose.yml');
const services = compose.services;
/** Variables a deployment sets in .env (the admin token is required). */
const VARS = { DANE_ADMIN_TOKEN: 'a'.repeat(64) };

const INFRA = ['rabbitmq', 'postgres', 'elasticsearch'];
const APPS = ['api', 'scheduler', 'results'];
const WORKERS: Record<string, string> = { 'filesize-worker': 'filesize', 'download-worker': 'download', 'checksum-worker': 'checksum' };
const DANE_SERVICES = [...APPS, ...Object.keys(WORKERS)];

function workerDir(service: string): string | undefined {
  return WORKERS[service] ? join(ROOT, 'workers', WORKERS[service]) : undefined;
}

describe('deployment: docker-compose.yml', () => {
  it('has the infrastructure, the three apps and the three example workers as separate services', () => {
    expect(Object.keys(services).sort()).toEqual([...INFRA, ...DANE_SERVICES].sort());
    expect(services.rabbitmq.image).toMatch(/^rabbitmq:3\.\d+(\.\d+)?-management$/);
    expect(services.postgres.image).toMatch(/^postgres:15(\.\d+)?$/);
    expect(services.elasticsearch.image).toMatch(/elasticsearch:7\.17\.\d+$/);
    // Elasticsearch is optional: only with `--profile es`.
    expect(services.elasticsearch.profiles).toEqual(['es']);
    for (const name of [...INFRA.filter((s) => s !== 'elasticsearch'), ...DANE_SERVICES]) expect(services[name].profiles).toBeUndefined();
    const env = environmentOf(services.elasticsearch, VARS);
    expect(env['discovery.type']).toBe('single-node');
    expect(env['xpack.security.enabled']).toBe('false');
  });

  it('builds every DANE service from the Dockerfile and starts it with its own command', () => {
    for (const name of DANE_SERVICES) {
      const s = services[name];
      const build = typeof s.build === 'string' ? { context: s.build } : s.build;
      expect(build?.context).toBe('.');
      expect(existsSync(join(ROOT, build!.context, build?.dockerfile ?? 'Dockerfile'))).toBe(true);
      expect(commandOf(s)[0]).toBe('node');
    }
    expect(commandOf(services.api)[1]).toBe('dist/apps/api/src/main.js');
    expect(commandOf(services.scheduler)[1]).toBe('dist/apps/scheduler/src/main.js');
    expect(commandOf(services.results)[1]).toBe('dist/apps/results/src/main.js');
    for (const [service, worker] of Object.entries(WORKERS)) expect(commandOf(services[service])[1]).toBe(`dist/workers/${worker}/main.js`);
  });

  it('gives every service a health check: api its /ready, scheduler and results store + broker', () => {
    for (const [name, s] of Object.entries(services)) {
      const test = healthTestOf(s);
      expect([name, test[0]]).toEqual([name, expect.stringMatching(/^CMD(-SHELL)?$/)]);
      expect(s.healthcheck?.interval).toMatch(/^\d+s$/);
      expect(s.healthcheck?.retries).toBeGreaterThan(0);
    }
    expect(healthTestOf(services.api).join(' ')).toMatch(/--http http:\/\/127\.0\.0\.1:5500\/ready$/);
    for (const name of ['scheduler', 'results']) expect(healthTestOf(services[name]).slice(1)).toEqual(['node', 'dist/apps/api/src/ops/healthcheck.js', '--store', '--broker']);
    for (const name of Object.keys(WORKERS)) expect(healthTestOf(services[name])).toContain('--broker');
  });

  it('keeps state in named volumes', () => {
    const declared = Object.keys(compose.volumes ?? {});
    const mounts: Record<string, string> = { rabbitmq: '/var/lib/rabbitmq', postgres: '/var/lib/postgresql/data', elasticsearch: '/usr/share/elasticsearch/data' };
    for (const [name, path] of Object.entries(mounts)) {
      const volume = (services[name].volumes ?? []).find((v) => v.split(':')[1] === path);
      expect([name, volume && declared.includes(volume.split(':')[0])]).toEqual([name, true]);
    }
    for (const s of Object.values(services)) {
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0];
        if (!source.startsWith('.') && !source.startsWith('/')) expect(declared).toContain(source);
      }
    }
  });

  it('starts the apps once RabbitMQ and PostgreSQL are healthy; every depends_on names a service and a valid condition', () => {
    for (const name of APPS) {
      expect(services[name].depends_on).toMatchObject({ rabbitmq: { condition: 'service_healthy' }, postgres: { condition: 'service_healthy' } });
    }
    for (const [name, s] of Object.entries(services)) {
      const deps = s.depends_on ?? {};
      expect(Array.isArray(deps)).toBe(false);
      for (const [dep, { condition }] of Object.entries(deps as Record<string, { condition: string }>)) {
        expect([name, dep in services, condition]).toEqual([name, true, expect.stringMatching(/^service_(healthy|started|completed_successfully)$/)]);
        // A service of a profile cannot be a dependency of a service that always runs.
        expect(services[dep].profiles).toBeUndefined();
      }
    }
  });

  it('sets only configuration keys that exist, with values the loader accepts', () => {
    for (const name of DANE_SERVICES) {
      const env = environmentOf(services[name], VARS);
      const daneKeys = Object.keys(env).filter((k) => k.startsWith('DANE_'));
      expect(daneKeys.length).toBeGreaterThan(0);
      for (const key of daneKeys) {
        if (key === 'DANE_ADMIN_TOKEN' || key === 'DANE_HOME' || key === 'DANE_IMAGE') continue;
        expect([name, key]).toEqual([name, expect.stringMatching(/^DANE_[A-Z0-9_]+__[A-Z0-9_]+$/)]);
      }
      const home = mkdtempSync(join(tmpdir(), 'dane-deploy-home-'));
      // The loader rejects unknown keys of core sections and values of the wrong type.
      const { config } = loadConfig({ env: { ...env, HOME: home, DANE_HOME: home }, cwd: home, baseDir: workerDir(name) });
      for (const key of daneKeys) {
        const [section, k] = key.slice(5).split('__');
        if (!k) continue;
        if ((CORE_SECTIONS as readonly string[]).includes(section)) expect(config[section]).toHaveProperty([k]);
        else expect([name, key, Object.keys(config[section] ?? {})]).toEqual([name, key, expect.arrayContaining([k])]);
      }
      if (APPS.includes(name)) {
        expect(config.STORAGE.TYPE).toBe('postgres');
        expect(config.RABBITMQ.HOST).toBe('rabbitmq');
        expect(String(config.STORAGE.POSTGRES_URL)).toMatch(/@postgres:5432\//);
      }
      rmSync(home, { recursive: true, force: true });
    }
    // The api needs its admin token from the environment: compose refuses to start without it.
    expect(() => environmentOf(services.api, {})).toThrow(/DANE_ADMIN_TOKEN/);
    expect(loadConfig({ env: { ...environmentOf(services.api, VARS), DANE_HOME: tmpdir() }, cwd: tmpdir() }).config.AUTH.ADMIN_TOKEN).toBe(VARS.DANE_ADMIN_TOKEN);
  });

  it('switches the apps to Elasticsearch with the override file', () => {
    const override = readCompose('deploy/docker-compose.elasticsearch.yml');
    for (const name of APPS) {
      const env = { ...environmentOf(services[name], VARS), ...environmentOf(override.services[name], VARS) };
      const { config } = loadConfig({ env: { ...env, DANE_HOME: tmpdir() }, cwd: tmpdir() });
      expect(config.STORAGE.TYPE).toBe('elasticsearch');
      expect(config.ELASTICSEARCH.HOST).toEqual(['elasticsearch']);
      expect(config.ELASTICSEARCH.PORT).toBe(9200);
      expect(override.services[name].depends_on).toMatchObject({ elasticsearch: { condition: 'service_healthy' } });
    }
    expect(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')).toMatch(/^#\s+DANE_STORAGE__TYPE: elasticsearch$/m);
  });
});

describe('deployment: Dockerfiles and .dockerignore', () => {
  const files = dockerfiles();

  it('ships at least the root Dockerfile', () => {
    expect(files).toContain('Dockerfile');
  });

  it.each(files)('%s is multi-stage, runs as the node user and carries production dependencies only', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const { stages } = parseDockerfile(text);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const final = stages[stages.length - 1];
    const users = final.instructions.filter((i) => i.op === 'USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users[users.length - 1].args;
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(user).toBe('node');
    // Nothing after USER runs as root again, and the CMD comes after it.
    const userAt = final.instructions.lastIndexOf(users[users.length - 1]);
    expect(final.instructions.slice(userAt).some((i) => i.op === 'RUN' && /\bsudo\b|\bsu\s/.test(i.args))).toBe(false);
    const cmd = final.instructions.filter((i) => i.op === 'CMD').pop();
    expect(cmd).toBeDefined();
    expect(final.instructions.indexOf(cmd!)).toBeGreaterThan(userAt);
    // node_modules of the final stage come from a stage that installed with --omit=dev.
    const modules = final.instructions.filter((i) => i.op === 'COPY' && /node_modules/.test(i.args));
    expect(modules.length).toBe(1);
    const from = /--from=(\S+)/.exec(modules[0].args)?.[1];
    const source = stages.find((s) => s.name === from);
    expect(source?.instructions.some((i) => i.op === 'RUN' && /npm ci\b.*--omit=dev/.test(i.args))).toBe(true);
    expect(final.instructions.some((i) => i.op === 'RUN' && /npm (ci|install|i)\b/.test(i.args) && !/--omit=dev/.test(i.args))).toBe(false);
    // Copies into the final stage are owned by the node user.
    for (const c of final.instructions.filter((i) => i.op === 'COPY')) expect([c.line, c.args]).toEqual([c.line, expect.stringMatching(/--chown=node(:node)?\b/)]);
    // Example workers find base_config.yml beside their compiled main.js.
    expect(text).toMatch(/base_config\.yml/);
  });

  it.each(files)('%s follows the usual lint rules (hadolint is not installable here)', (file) => {
    const { args, stages } = parseDockerfile(readFileSync(join(ROOT, file), 'utf8'));
    const argDefaults = Object.fromEntries(args.map((a) => a.split('=')).map(([k, v]) => [k, v ?? '']));
    const names = new Set(stages.map((s) => s.name).filter(Boolean));
    for (const stage of stages) {
      const image = stage.from.replace(/\$\{?(\w+)\}?/g, (_m, v: string) => argDefaults[v] ?? '');
      // DL3006/DL3007: a pinned tag, never latest.
      if (!names.has(stage.from)) expect(image).toMatch(/^[\w./-]+:(?!latest$)[\w.-]+$/);
      for (const i of stage.instructions) {
        const where = `${file}:${i.line} ${i.op}`;
        // DL3020: COPY, not ADD, for local files.
        if (i.op === 'ADD') expect([where, /^(https?:|--checksum)/.test(i.args)]).toEqual([where, true]);
        // DL3000: absolute WORKDIR.
        if (i.op === 'WORKDIR') expect([where, i.args.startsWith('/')]).toEqual([where, true]);
        // DL3025: exec form for CMD/ENTRYPOINT (signals reach node, not a shell).
        if (i.op === 'CMD' || i.op === 'ENTRYPOINT') expect([where, /^\[.*\]$/.test(i.args) && Array.isArray(JSON.parse(i.args))]).toEqual([where, true]);
        if (i.op === 'RUN') {
          // DL3004, DL3003, DL3008/DL3015.
          expect([where, /\bsudo\b/.test(i.args)]).toEqual([where, false]);
          expect([where, /(^|&&|;)\s*cd\s/.test(i.args)]).toEqual([where, false]);
          if (/apt-get install/.test(i.args)) expect([where, /--no-install-recommends/.test(i.args)]).toEqual([where, true]);
        }
        // No secrets baked into the image.
        if (i.op === 'ENV' || i.op === 'ARG') expect([where, /PASSWORD|TOKEN|SECRET/i.test(i.args)]).toEqual([where, false]);
      }
    }
  });

  it('.dockerignore keeps dependencies, build output, VCS data and secrets out of the context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['node_modules', 'dist', '.git', '.env', 'config.yml']) expect(ignored).toContain(entry);
    // What the build stage copies must not be ignored.
    for (const entry of ['apps', 'libs', 'workers', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json']) expect(ignored).not.toContain(entry);
  });

  it('lays example workers out as the image does: base_config.yml beside the compiled main.js', () => {
    const image = mkdtempSync(join(tmpdir(), 'dane-image-'));
    try {
      for (const worker of Object.values(WORKERS)) {
        const source = join(ROOT, 'workers', worker, 'base_config.yml');
        expect(existsSync(source)).toBe(true);
        // The image has dist/ and no workers/ sources.
        const dir = join(image, 'app', 'dist', 'workers', worker);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'base_config.yml'), readFileSync(source));
        expect(locateBaseDir(dir)).toBe(dir);
        const section = `${worker.toUpperCase()}_WORKER`;
        const { config } = loadConfig({ env: { DANE_HOME: image }, cwd: image, baseDir: locateBaseDir(dir) });
        expect(config[section]?.QUEUE).toBeTruthy();
      }
    } finally {
      rmSync(image, { recursive: true, force: true });
    }
  });
});

describe('deployment: Kubernetes example (deploy/k8s)', () => {
  type K8sContainer = { command: string[]; envFrom?: unknown[]; env?: Array<{ name: string; value?: string }>; livenessProbe?: unknown; readinessProbe?: unknown };
  type K8sDoc = {
    kind: string;
    metadata: { name: string };
    data?: Record<string, string>;
    spec?: { template?: { spec: { securityContext?: { runAsNonRoot?: boolean }; containers: K8sContainer[] } } };
  };
  const docs = parseAllDocuments(readFileSync(join(ROOT, 'deploy/k8s/dane.yaml'), 'utf8')).map((d) => d.toJS() as K8sDoc);
  const config = docs.find((d) => d.kind === 'ConfigMap')!;
  const deployments = docs.filter((d) => d.kind === 'Deployment');

  it('runs the api, scheduler, results and a worker as non-root with probes and the image commands', () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['dane-api', 'dane-filesize-worker', 'dane-results', 'dane-scheduler']);
    for (const d of deployments) {
      const pod = d.spec!.template!.spec;
      expect([d.metadata.name, pod.securityContext?.runAsNonRoot]).toEqual([d.metadata.name, true]);
      for (const c of pod.containers) {
        expect(c.readinessProbe).toBeDefined();
        expect(c.command[0]).toBe('node');
        const composeCommands = DANE_SERVICES.map((s) => commandOf(services[s])[1]);
        expect(composeCommands).toContain(c.command[1]);
      }
    }
    const api = deployments.find((d) => d.metadata.name === 'dane-api')!.spec!.template!.spec.containers[0];
    expect(api.livenessProbe).toMatchObject({ httpGet: { path: '/health/live' } });
    expect(api.readinessProbe).toMatchObject({ httpGet: { path: '/health/ready' } });
  });

  it('configures only keys the loader accepts', () => {
    const { config: loaded } = loadConfig({ env: { ...config.data, DANE_HOME: tmpdir() }, cwd: tmpdir() });
    expect(loaded.STORAGE.TYPE).toBe('postgres');
    const worker = deployments.find((d) => d.metadata.name === 'dane-filesize-worker')!.spec!.template!.spec.containers[0];
    const env = Object.fromEntries((worker.env ?? []).map((e) => [e.name, e.value ?? 'x']));
    expect(loadConfig({ env: { ...env, DANE_HOME: tmpdir() }, cwd: tmpdir(), baseDir: join(ROOT, 'workers/filesize') }).config.DANE.API_URL).toBe('http://dane-api:5500/DANE/');
  });
});

// ---------------------------------------------------------------------------------------------

const PG_ADMIN_URL = (() => {
  const u = new URL(process.env.DANE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  u.pathname = '/postgres';
  return u.toString();
})();
const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

/** A container's start command (`node <script> …`) as a process here, with only the compose environment. */
function start(command: string[], env: Record<string, string>, cwd: string): NodeProcess {
  if (command[0] !== 'node') throw new Error(`not a node command: ${command.join(' ')}`);
  return new NodeProcess(command[1], command[1], env, cwd, { args: command.slice(2), baseEnv: 'none' });
}

const output = (run: NodeProcess): string => run.lines.join('\n');

describe('deployment: each container start command starts here and stops cleanly on SIGTERM', () => {
  const id = randomBytes(4).toString('hex');
  const database = `dane_deploy_${id}`;
  const exchange = `DANE-exchange-deploy-${id}`;
  const responseQueue = `DANE-deploy-${id}-response-queue`;
  const workerQueue = `FILESIZE-deploy-${id}`;
  const home = mkdtempSync(join(tmpdir(), 'dane-deploy-'));
  /** The image's WORKDIR: dist/ and node_modules, no sources. */
  const appDir = join(home, 'app');
  let port = 0;
  /** METRICS.PORT of the scheduler and results processes (compose gives both 9464, in containers of their own). */
  const metricsPorts: Record<string, number> = {};
  const running: NodeProcess[] = [];

  /** A service's compose environment with the hosts, credentials and names of this machine and test. */
  function localEnv(service: string): Record<string, string> {
    const env = environmentOf(services[service], VARS);
    const local: Record<string, string> = { ...env };
    if ('DANE_STORAGE__POSTGRES_URL' in env) {
      const u = new URL(PG_ADMIN_URL);
      u.pathname = `/${database}`;
      local.DANE_STORAGE__POSTGRES_URL = u.toString();
    }
    if ('DANE_RABBITMQ__HOST' in env) {
      Object.assign(local, { DANE_RABBITMQ__HOST: '127.0.0.1', DANE_RABBITMQ__USER: 'guest', DANE_RABBITMQ__PASSWORD: 'guest' });
      // This machine's RabbitMQ has no management plugin.
      if ('DANE_RABBITMQ__MANAGEMENT' in env) local.DANE_RABBITMQ__MANAGEMENT = 'false';
      Object.assign(local, { DANE_RABBITMQ__EXCHANGE: exchange, DANE_RABBITMQ__RESPONSE_QUEUE: responseQueue, DANE_RABBITMQ__EVENTS_EXCHANGE: `${exchange}-events` });
    }
    if ('DANE_METRICS__PORT' in env) local.DANE_METRICS__PORT = String(metricsPorts[service]);
    if ('DANE_DANE__PORT' in env) Object.assign(local, { DANE_DANE__PORT: String(port), DANE_DANE__HOST: '127.0.0.1' });
    if ('DANE_DANE__API_URL' in env) local.DANE_DANE__API_URL = `http://127.0.0.1:${port}/DANE/`;
    if (service === 'filesize-worker') local.DANE_FILESIZE_WORKER__QUEUE = workerQueue;
    for (const k of ['DANE_PATHS__TEMP_FOLDER', 'DANE_PATHS__OUT_FOLDER']) if (k in local) local[k] = join(home, k.endsWith('TEMP_FOLDER') ? 'TEMP' : 'OUT');
    // The image's environment (NODE_ENV, DANE_HOME) and enough of this one to run node.
    return { PATH: process.env.PATH ?? '', HOME: home, NODE_ENV: 'production', DANE_HOME: join(home, '.DANE'), ...local };
  }

  beforeAll(async () => {
    port = await freePort();
    const pg = new Client({ connectionString: PG_ADMIN_URL });
    await pg.connect();
    await pg.query(`CREATE DATABASE ${database}`);
    await pg.end();
    mkdirSync(appDir);
    buildImageLayout(appDir);
  }, 400_000);

  it('finds every command and health-check script of the compose file in the built dist/', () => {
    const scripts = new Set<string>();
    for (const name of DANE_SERVICES) {
      scripts.add(commandOf(services[name])[1]);
      scripts.add(healthTestOf(services[name])[2]);
    }
    for (const script of scripts) expect([script, existsSync(join(appDir, script))]).toEqual([script, true]);
    for (const worker of Object.values(WORKERS)) expect(existsSync(join(appDir, 'dist/workers', worker, 'base_config.yml'))).toBe(true);
    expect(existsSync(join(appDir, 'workers'))).toBe(false);
  });

  afterAll(async () => {
    for (const run of running) run.kill('SIGKILL');
    const conn = await amqp.connect(AMQP_URL);
    for (const q of [responseQueue, responseQueue.replace(/-response-queue$/, '') + '-results', `DANE-deploy-${id}-results`, workerQueue]) {
      const ch = await conn.createChannel();
      await ch.deleteQueue(q).catch(() => undefined);
      await ch.close().catch(() => undefined);
    }
    const ch = await conn.createChannel();
    await ch.deleteExchange(exchange).catch(() => undefined);
    await ch.deleteExchange(`${exchange}-events`).catch(() => undefined);
    await conn.close();
    const pg = new Client({ connectionString: PG_ADMIN_URL });
    await pg.connect();
    await pg.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await pg.end();
    // The link first: never anything under the repository's node_modules.
    if (existsSync(join(appDir, 'node_modules'))) unlinkSync(join(appDir, 'node_modules'));
    rmSync(home, { recursive: true, force: true });
  });

  function healthcheck(service: string): { status: number | null; out: string } {
    const test = healthTestOf(services[service]);
    expect(test[0]).toBe('CMD');
    const [cmd, ...args] = test.slice(1);
    const r = spawnSync(
      cmd === 'node' ? process.execPath : cmd,
      args.map((a) => a.replace('127.0.0.1:5500', `127.0.0.1:${port}`)),
      {
        cwd: appDir,
        env: localEnv(service),
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    return { status: r.status, out: r.stdout + r.stderr };
  }

  it('api: logs api_listening, answers /health, /ready, /health/ready and /metrics, passes its health check', async () => {
    const api = start(commandOf(services.api), localEnv('api'), appDir);
    running.push(api);
    await api.waitForOutput(/"event":"api_listening"/);
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/health`)).status).toBe(200);
    // The api holds a broker connection of its own (it publishes DANE-events): /ready reports it once it is up.
    await waitFor('/ready with the broker connected', async () => ((await (await fetch(`${base}/ready`)).json()) as { messagequeue?: string }).messagequeue === '200 OK');
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ database: '200 OK', messagequeue: '200 OK' });
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^dane_store_up 1$/m);
    // The log lines are JSON objects (LOGGING.FORMAT json).
    const line = api.lines.find((l) => l.includes('api_listening'))!;
    // DANE.HEAP_GROWING_PERCENT's default, applied at start-up (V8's --heap-growing-percent).
    expect(JSON.parse(line)).toMatchObject({ level: 'log', message: { event: 'api_listening', port, heap_growing_percent: 50 } });
    const hc = healthcheck('api');
    expect([hc.status, hc.out]).toEqual([0, expect.stringContaining('"ok":true')]);
  });

  it('scheduler and results: log their start event, pass their health check and serve their own /metrics', async () => {
    for (const service of ['scheduler', 'results']) metricsPorts[service] = await freePort();
    const scheduler = start(commandOf(services.scheduler), localEnv('scheduler'), appDir);
    const results = start(commandOf(services.results), localEnv('results'), appDir);
    running.push(scheduler, results);
    await scheduler.waitForOutput(/"event":"scheduler_started"/);
    await results.waitForOutput(/"event":"results_started"/);
    await scheduler.waitForOutput(/"event":"broker_connected"/);
    for (const service of ['scheduler', 'results']) {
      const hc = healthcheck(service);
      expect([service, hc.status, hc.out]).toEqual([service, 0, expect.stringMatching(/"store":"up: postgres".*"broker":"up: rabbitmq"/)]);
    }
    // A split deployment exports the flow counters from the process that keeps them.
    const scrape = async (service: string) => (await fetch(`http://127.0.0.1:${metricsPorts[service]}/metrics`)).text();
    const schedulerMetrics = await scrape('scheduler');
    for (const name of ['dane_dispatch_total', 'dane_replies_total', 'dane_sweeper_total', 'dane_tasks_stuck']) expect(schedulerMetrics).toContain(`# TYPE ${name} `);
    expect(await scrape('results')).toContain('# TYPE dane_result_messages_total counter');
  });

  it('filesize worker: consumes its queue and passes its health check', async () => {
    const worker = start(commandOf(services['filesize-worker']), localEnv('filesize-worker'), appDir);
    running.push(worker);
    await worker.waitForOutput(/"event":"worker_started"/);
    expect(output(worker)).toContain(workerQueue);
    const hc = healthcheck('filesize-worker');
    expect([hc.status, hc.out]).toEqual([0, expect.stringContaining('"broker":"up: rabbitmq"')]);
  });

  it('a health check fails when what it checks is down', () => {
    const env = { ...localEnv('scheduler'), DANE_RABBITMQ__PORT: '1' };
    const [cmd, ...args] = healthTestOf(services.scheduler).slice(1);
    const r = spawnSync(cmd === 'node' ? process.execPath : cmd, args, { cwd: appDir, env, encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/"broker":"down: RabbitMQ is not reachable/);
  });

  it('every process stops cleanly on SIGTERM (docker stop)', async () => {
    expect(running.length).toBe(4);
    const outcomes = await Promise.all(running.map((r) => r.stop(20_000)));
    if (process.env.DANE_TEST_LOGS) console.log(outcomes);
    for (let i = 0; i < running.length; i++) {
      // Clean: in time (no SIGKILL), exit 0 or — Nest's enableShutdownHooks() re-raises the signal after
      // its shutdown hooks — ended by that SIGTERM (exit status 143 in Docker); no error logged on the way.
      expect([i, outcomes[i]]).toEqual([i, expect.objectContaining(outcomes[i].signal ? { code: null, signal: 'SIGTERM' } : { code: 0, signal: null })]);
      expect([i, output(running[i])]).toEqual([i, expect.not.stringMatching(/"level":"(error|fatal)"|Error:|\bERROR\b/)]);
    }
  });
});
