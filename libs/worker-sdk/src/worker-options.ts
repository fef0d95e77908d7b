import { ConfigError, loadConfig, type DaneConfig, type Generator } from '@dane/protocol';
import { locateBaseDir } from './base-dir';
import { taskKeyOf, validateBindingKeys } from './binding-keys';
import { defaultGenerator, packageVersion } from './generator';

export interface DaneWorkerOptions {
  /** Queue shared by all workers of this type (competing consumers), e.g. `ASR`. */
  queue: string;
  /** `<target type | * | #>.<KEY>`, e.g. `#.ASR` (docs/protocol.md, Binding keys). */
  bindingKey: string | string[];
  /** Task keys that must be 200 before this worker runs a task (see DEPENDENCIES_DONE_HEADER). */
  dependsOn?: string[];
  /** Callbacks running at once. Default 1, like the Python worker's prefetch 1. */
  concurrency?: number;
  /**
   * Task messages the broker may hand this worker at once (RabbitMQ prefetch), ≥ concurrency. Default
   * 2 × concurrency: the next task is already here when a callback ends. Short tasks (well under a
   * second) go faster with more (e.g. 50); tasks of minutes are best served with prefetch = concurrency,
   * so that messages are not held here while another worker is idle.
   */
  prefetch?: number;
  /** A message waiting here behind running callbacks longer than this goes back to the queue. Default 5 min. */
  maxLocalWaitMs?: number;
  /** Default: loadConfig({ baseDir }) — defaults, $DANE_HOME/config.yml, base_config.yml, ./config.yml, env. */
  config?: DaneConfig;
  /** Folder of the worker's base_config.yml; pass `__dirname`. */
  baseDir?: string;
  /** Who made the results. Default: git revision / queue / Software / origin url, or id `unknown`. */
  generator?: Generator;
  /**
   * The version recorded in each result's `generator.version` (campaigns re-run results of older versions). Default:
   * the generator's own `version`, else the config's `WORKER.VERSION`, else — for the default generator only — the
   * version of the nearest package.json from `baseDir` (or the working directory).
   */
  version?: string;
  /** Heartbeat period while a callback runs. Default 30 s (the server's lease is 300 s by default). */
  heartbeatIntervalMs?: number;
  /** Acknowledge a task still running after this long. Default 60 s; 0 = at once; Infinity = never. */
  ackDeadlineMs?: number;
  /** How long a stop waits for running callbacks. Default 25 s (inside Kubernetes' 30 s grace period). */
  shutdownTimeoutMs?: number;
}

export interface ResolvedWorkerOptions {
  queue: string;
  bindingKeys: string[];
  taskKey: string;
  dependsOn: string[];
  concurrency: number;
  prefetch: number;
  maxLocalWaitMs: number;
  config: DaneConfig;
  generator: Generator;
  heartbeatIntervalMs: number;
  ackDeadlineMs: number;
  shutdownTimeoutMs: number;
}

export const DEFAULT_HEARTBEAT_INTERVAL_MS = 30_000;
export const DEFAULT_ACK_DEADLINE_MS = 60_000;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 25_000;
export const DEFAULT_MAX_LOCAL_WAIT_MS = 300_000;

/**
 * The layered config a worker runs with (docs/protocol.md, Configuration): defaults → $DANE_HOME/config.yml →
 * base_config.yml in `baseDir` (the worker's folder) → ./config.yml → DANE_<SECTION>__<KEY> environment
 * variables. For workers that need their own section (e.g. a queue name) before calling `super()`.
 */
export function loadWorkerConfig(baseDir?: string): DaneConfig {
  return loadConfig({ baseDir: baseDir ? locateBaseDir(baseDir) : undefined }).config;
}

/** Checks options early, with errors that say what to change, and fills in the defaults. */
export function resolveWorkerOptions(options: DaneWorkerOptions): ResolvedWorkerOptions {
  const { queue } = options;
  if (typeof queue !== 'string' || queue.trim() === '') throw new ConfigError('A worker needs a queue name, e.g. { queue: "ASR" }');
  const bindingKeys = validateBindingKeys(options.bindingKey);
  const concurrency = options.concurrency ?? 1;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new ConfigError(`concurrency must be a whole number ≥ 1 (got ${concurrency})`);
  const prefetch = options.prefetch ?? 2 * concurrency;
  if (!Number.isInteger(prefetch) || prefetch < concurrency || prefetch > 65535) {
    throw new ConfigError(`prefetch must be a whole number from concurrency (${concurrency}) to 65535 (got ${prefetch})`);
  }
  const dependsOn = (options.dependsOn ?? []).map((k) => {
    if (typeof k !== 'string' || !/^[A-Za-z0-9_-]+$/.test(k)) throw new ConfigError(`dependsOn holds task keys like "DOWNLOAD" (got ${JSON.stringify(k)})`);
    return k.toUpperCase(); // stored task keys are upper-case (docs/protocol.md, Task)
  });
  const config = options.config ?? loadWorkerConfig(options.baseDir);
  return {
    queue,
    bindingKeys,
    taskKey: taskKeyOf(bindingKeys, queue),
    dependsOn,
    concurrency,
    prefetch,
    maxLocalWaitMs: positive(options.maxLocalWaitMs, DEFAULT_MAX_LOCAL_WAIT_MS, 'maxLocalWaitMs'),
    config,
    generator: withVersion(options.generator, queue, options.version, config, options.baseDir),
    heartbeatIntervalMs: positive(options.heartbeatIntervalMs, DEFAULT_HEARTBEAT_INTERVAL_MS, 'heartbeatIntervalMs'),
    ackDeadlineMs: options.ackDeadlineMs === undefined ? DEFAULT_ACK_DEADLINE_MS : nonNegative(options.ackDeadlineMs, 'ackDeadlineMs'),
    shutdownTimeoutMs: options.shutdownTimeoutMs === undefined ? DEFAULT_SHUTDOWN_TIMEOUT_MS : nonNegative(options.shutdownTimeoutMs, 'shutdownTimeoutMs'),
  };
}

/** The generator with its version (DaneWorkerOptions.version): the option, the generator's, WORKER.VERSION, the package's. */
function withVersion(given: Generator | undefined, queue: string, version: string | undefined, config: DaneConfig, baseDir: string | undefined): Generator {
  const generator = given ?? defaultGenerator(queue, process.cwd(), null);
  const configured = (config.WORKER as Record<string, unknown> | undefined)?.VERSION;
  const chosen =
    version ??
    (typeof generator.version === 'string' ? generator.version : undefined) ??
    (configured !== undefined && configured !== null && configured !== '' ? String(configured) : undefined) ??
    (given ? null : packageVersion(baseDir ?? process.cwd()));
  return chosen ? { ...generator, version: chosen } : generator;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(value > 0)) throw new ConfigError(`${name} must be a positive number of milliseconds (got ${value})`);
  return value;
}

function nonNegative(value: number, name: string): number {
  if (!(value >= 0)) throw new ConfigError(`${name} must be ≥ 0 milliseconds (got ${value})`);
  return value;
}
