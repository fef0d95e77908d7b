import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, YAMLParseError } from 'yaml';
import { ConfigError, ConfigRequiredError } from '../errors';
import { builtInDefaults, ConfigValue, CORE_SECTIONS, DaneConfig } from './defaults';

export interface LoadConfigOptions {
  /** Directory holding the component's `base_config.yml` (a worker's own folder). */
  baseDir?: string;
  /** Directory searched for `./config.yml` (default: process.cwd()). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface LoadedConfig {
  config: DaneConfig;
  /** Files that were read, in layer order. */
  files: string[];
}

const ENV_PREFIX = 'DANE_';
/** Secrets stay the raw string: a YAML reading could turn an all-digit token or password into a number. */
const SECRET_KEYS = new Set(['AUTH.ADMIN_TOKEN', 'DANE.API_TOKEN', 'RABBITMQ.PASSWORD', 'ELASTICSEARCH.PASSWORD']);

function isObject(v: unknown): v is Record<string, ConfigValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  return typeof v === 'object' ? 'mapping' : typeof v;
}

/** Where the machine-wide config.yml lives: $DANE_HOME, else ~/.DANE (or ~/.dane when only that exists). */
export function daneHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DANE_HOME) return resolve(env.DANE_HOME);
  const home = env.HOME || homedir();
  const upper = join(home, '.DANE');
  const lower = join(home, '.dane');
  return !existsSync(upper) && existsSync(lower) ? lower : upper;
}

function readYaml(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`Cannot read config file ${file}: ${e.message}`);
  }
  let data: unknown;
  try {
    data = parse(text);
  } catch (e) {
    const where = e instanceof YAMLParseError && e.linePos ? ` at line ${e.linePos[0].line}` : '';
    throw new ConfigError(`Invalid YAML in config file ${file}${where}: ${String(e.message).split('\n')[0]}`);
  }
  if (data === null || data === undefined) return {};
  if (!isObject(data)) throw new ConfigError(`Config file ${file} must hold a mapping of sections, not a ${typeName(data)}`);
  return data;
}

/**
 * Merges one layer into the config. Core sections accept only known keys, with the default's type
 * (as yacs did for RABBITMQ/ELASTICSEARCH/CONFIG); other sections (a worker's own) are free-form.
 */
function mergeLayer(config: DaneConfig, layer: Record<string, unknown>, source: string): void {
  for (const [section, values] of Object.entries(layer)) {
    if (!isObject(values)) throw new ConfigError(`${source}: section ${section} must be a mapping, not a ${typeName(values)}`);
    const core = (CORE_SECTIONS as readonly string[]).includes(section);
    const target = (config[section] ??= {});
    for (const [key, value] of Object.entries(values)) {
      if (core) {
        if (!(key in target)) {
          throw new ConfigError(`${source}: unknown key ${section}.${key} (known keys: ${Object.keys(target).join(', ')})`);
        }
        checkType(target[key], value, `${source}: ${section}.${key}`);
      }
      target[key] = isObject(target[key]) && isObject(value) ? { ...target[key], ...value } : (value as ConfigValue);
    }
  }
}

function checkType(current: ConfigValue, value: unknown, where: string): void {
  // null defaults (e.g. S3 settings) take any scalar; numbers must stay numbers, lists lists.
  if (current === null || value === null) return;
  if (typeName(current) !== typeName(value)) {
    throw new ConfigError(`${where} must be a ${typeName(current)}, not a ${typeName(value)} (${JSON.stringify(value)})`);
  }
}

/** `DANE_RABBITMQ__HOST=rabbit` → RABBITMQ.HOST; values are read as YAML scalars (numbers, booleans, lists). */
function envLayer(env: NodeJS.ProcessEnv): Record<string, Record<string, unknown>> {
  const layer: Record<string, Record<string, unknown>> = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || raw === undefined) continue;
    const parts = name.slice(ENV_PREFIX.length).split('__');
    if (parts.length !== 2 || !parts[0] || !parts[1]) continue;
    let value: unknown;
    try {
      value = parse(raw);
    } catch {
      value = raw;
    }
    if (value === null && raw !== '' && raw !== 'null' && raw !== '~') value = raw;
    // A mapping only when written as one (`{…}`): `:memory:` or `a: b` is the string it looks like.
    if (isObject(value) && !raw.trimStart().startsWith('{')) value = raw;
    // Secrets stay the string they are: `0123…` or `12e45` must not turn into a number.
    if (SECRET_KEYS.has(`${parts[0].toUpperCase()}.${parts[1].toUpperCase()}`)) value = raw;
    (layer[parts[0].toUpperCase()] ??= {})[parts[1].toUpperCase()] = value;
  }
  // The admin token of containers and tests; kept as the raw string (a YAML reading could turn it into a number).
  if (env.DANE_ADMIN_TOKEN) (layer.AUTH ??= {}).ADMIN_TOKEN = env.DANE_ADMIN_TOKEN;
  return layer;
}

/**
 * The layered configuration (docs/protocol.md, Configuration): built-in defaults → $DANE_HOME/config.yml
 * (or ~/.DANE/config.yml, ~/.dane accepted) → the component's base_config.yml → ./config.yml →
 * environment (DANE_<SECTION>__<KEY>). CONFIG.REQUIRED without ./config.yml → ConfigRequiredError.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const home = daneHome(env);
  const config = builtInDefaults(home + '/');
  const files: string[] = [];
  const layer = (file: string) => {
    if (!existsSync(file)) return false;
    mergeLayer(config, readYaml(file), file);
    files.push(file);
    return true;
  };
  layer(join(home, 'config.yml'));
  if (options.baseDir) layer(join(resolve(options.baseDir), 'base_config.yml'));
  const local = join(resolve(options.cwd ?? process.cwd()), 'config.yml');
  const hasLocal = layer(local);
  mergeLayer(config, envLayer(env), 'environment');
  if (config.CONFIG.REQUIRED === true && !hasLocal) {
    throw new ConfigRequiredError(`CONFIG.REQUIRED is set but no config.yml was found in ${resolve(options.cwd ?? process.cwd())}`);
  }
  validate(config);
  return { config, files };
}

function validate(config: DaneConfig): void {
  const storage = String(config.STORAGE.TYPE);
  if (!['postgres', 'pglite', 'elasticsearch'].includes(storage)) {
    throw new ConfigError(`STORAGE.TYPE must be one of postgres, pglite, elasticsearch (got ${JSON.stringify(storage)})`);
  }
  const port = config.DANE.PORT as number;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`DANE.PORT must be a port number (got ${port})`);
  const token = config.AUTH.ADMIN_TOKEN;
  if (token !== null && token !== '' && String(token).length < 16) {
    throw new ConfigError('AUTH.ADMIN_TOKEN (DANE_ADMIN_TOKEN) must be at least 16 characters; generate one with `openssl rand -hex 32`');
  }
  const growing = config.DANE.HEAP_GROWING_PERCENT as number;
  if (!Number.isInteger(growing) || growing < 0 || growing > 900) {
    throw new ConfigError(`DANE.HEAP_GROWING_PERCENT must be a whole number from 0 (V8's own heuristics) to 900 (got ${JSON.stringify(growing)})`);
  }
  const rate = config.AUTH.RATE_LIMIT_PER_MINUTE as number;
  if (!Number.isInteger(rate) || rate < 0) throw new ConfigError(`AUTH.RATE_LIMIT_PER_MINUTE must be a whole number ≥ 0 (got ${JSON.stringify(rate)})`);
  for (const [key, value] of Object.entries(config.LIMITS)) {
    if (!Number.isInteger(value) || (value as number) < 1) throw new ConfigError(`LIMITS.${key} must be a whole number ≥ 1 (got ${JSON.stringify(value)})`);
  }
}
