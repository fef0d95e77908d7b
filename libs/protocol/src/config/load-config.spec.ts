import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ConfigRequiredError } from '../errors';
import { daneHome, loadConfig } from './load-config';

describe('layered configuration (docs/protocol.md, Configuration)', () => {
  let root: string;
  let home: string;
  let base: string;
  let cwd: string;
  const write = (dir: string, name: string, text: string) => writeFileSync(join(dir, name), text);
  const load = (env: Record<string, string> = {}) => loadConfig({ baseDir: base, cwd, env: { HOME: home, ...env } });

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'dane-config-'));
    home = join(root, 'home');
    base = join(root, 'worker');
    cwd = join(root, 'run');
    for (const d of [home, base, cwd]) mkdirSync(d, { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('starts from the built-in defaults', () => {
    const { config, files } = load();
    expect(files).toEqual([]);
    expect(config.RABBITMQ).toMatchObject({ HOST: 'localhost', PORT: 5672, EXCHANGE: 'DANE-exchange', RESPONSE_QUEUE: 'DANE-response-queue' });
    expect(config.ELASTICSEARCH).toMatchObject({ HOST: ['localhost'], INDEX: 'dane-index' });
    expect(config.DANE.PORT).toBe(5500);
    expect(config.DANE.HOME_DIR).toBe(join(home, '.DANE') + '/');
  });

  it('applies home, base_config.yml, ./config.yml and the environment in that order', () => {
    mkdirSync(join(home, '.DANE'));
    write(join(home, '.DANE'), 'config.yml', 'RABBITMQ:\n  HOST: home-host\n  PORT: 1111\nFILESIZE:\n  UNIT: KB\n');
    write(base, 'base_config.yml', 'RABBITMQ:\n  PORT: 2222\nFILESIZE:\n  UNIT: MB\n  PRECISION: 2\n');
    write(cwd, 'config.yml', 'FILESIZE:\n  PRECISION: 3\n');
    const { config, files } = load({ DANE_RABBITMQ__USER: 'env-user', DANE_SCHEDULER__MAX_RETRIES: '9' });
    expect(files).toHaveLength(3);
    expect(config.RABBITMQ).toMatchObject({ HOST: 'home-host', PORT: 2222, USER: 'env-user' });
    expect(config.FILESIZE).toEqual({ UNIT: 'MB', PRECISION: 3 });
    expect(config.SCHEDULER.MAX_RETRIES).toBe(9);
  });

  it('honours DANE_HOME and accepts ~/.dane', () => {
    mkdirSync(join(home, '.dane'));
    write(join(home, '.dane'), 'config.yml', 'RABBITMQ:\n  HOST: lower\n');
    expect(load().config.RABBITMQ.HOST).toBe('lower');
    const custom = join(root, 'custom');
    mkdirSync(custom);
    write(custom, 'config.yml', 'RABBITMQ:\n  HOST: custom\n');
    expect(load({ DANE_HOME: custom }).config.RABBITMQ.HOST).toBe('custom');
    expect(daneHome({ DANE_HOME: custom })).toBe(custom);
  });

  it('raises ConfigRequiredError when CONFIG.REQUIRED is set and ./config.yml is absent', () => {
    write(base, 'base_config.yml', 'CONFIG:\n  REQUIRED: true\n');
    expect(() => load()).toThrow(ConfigRequiredError);
    write(cwd, 'config.yml', 'RABBITMQ:\n  HOST: x\n');
    expect(load().config.RABBITMQ.HOST).toBe('x');
  });

  it('names the file and line of bad YAML', () => {
    write(cwd, 'config.yml', 'RABBITMQ:\n  HOST: [unclosed\n');
    expect(() => load()).toThrow(ConfigError);
    expect(() => load()).toThrow(new RegExp(`Invalid YAML in config file ${join(cwd, 'config.yml').replace(/[/.]/g, '\\$&')}`));
  });

  it('names an unknown key of a core section and a wrong type', () => {
    write(cwd, 'config.yml', 'RABBITMQ:\n  HOSTNAME: x\n');
    expect(() => load()).toThrow(/config.yml: unknown key RABBITMQ.HOSTNAME/);
    write(cwd, 'config.yml', 'ELASTICSEARCH:\n  HOST: single-host\n');
    expect(() => load()).toThrow(/ELASTICSEARCH.HOST must be a list, not a string/);
    write(cwd, 'config.yml', '- just\n- a list\n');
    expect(() => load()).toThrow(/must hold a mapping of sections/);
  });

  it('keeps secrets from the environment as the raw string', () => {
    const { config } = load({ DANE_RABBITMQ__PASSWORD: '12345', DANE_DANE__API_TOKEN: '0123' });
    expect(config.RABBITMQ.PASSWORD).toBe('12345');
    expect(config.DANE.API_TOKEN).toBe('0123');
  });

  it("reads an environment value that only looks like a YAML mapping as the string it is (STORAGE.DATA_DIR ':memory:')", () => {
    expect(load({ DANE_STORAGE__DATA_DIR: ':memory:' }).config.STORAGE.DATA_DIR).toBe(':memory:');
    expect(load({ DANE_RABBITMQ__VHOST: 'team: a' }).config.RABBITMQ.VHOST).toBe('team: a');
    expect(() => load({ DANE_STORAGE__DATA_DIR: '{a: 1}' })).toThrow(/environment: STORAGE.DATA_DIR must be a string, not a mapping/);
  });

  it('rejects bad environment overrides with the same checks', () => {
    expect(() => load({ DANE_RABBITMQ__PORT: 'abc' })).toThrow(/environment: RABBITMQ.PORT must be a number/);
    expect(() => load({ DANE_STORAGE__TYPE: 'mongo' })).toThrow(/STORAGE.TYPE must be one of/);
    expect(() => load({ DANE_RABBITMQ__NOPE: '1' })).toThrow(/unknown key RABBITMQ.NOPE/);
  });

  it('takes DANE.HEAP_GROWING_PERCENT from 0 to 900 (default 50) and names it otherwise', () => {
    expect(load().config.DANE.HEAP_GROWING_PERCENT).toBe(50);
    expect(load({ DANE_DANE__HEAP_GROWING_PERCENT: '0' }).config.DANE.HEAP_GROWING_PERCENT).toBe(0);
    for (const bad of ['-1', '901', '12.5', 'lots']) expect(() => load({ DANE_DANE__HEAP_GROWING_PERCENT: bad })).toThrow(/DANE.HEAP_GROWING_PERCENT/);
  });
});
