import { ConfigError, type DaneConfig } from '@dane/worker';

/** The NEST_WORDCOUNT_WORKER section of the worker's configuration (base_config.yml, ./config.yml, DANE_* variables). */
export interface WordcountSettings {
  queue: string;
  concurrency: number;
  maxBytes: number;
}

/** Injection token of the settings in the worker's Nest module. */
export const WORDCOUNT_SETTINGS = Symbol('WORDCOUNT_SETTINGS');

/** Checked at start-up, not per task: a bad value stops the worker with a message that names the key. */
export function wordcountSettings(config: DaneConfig): WordcountSettings {
  const section = (config.NEST_WORDCOUNT_WORKER ?? {}) as Record<string, unknown>;
  const wholeNumber = (key: string, fallback: number, min: number): number => {
    const value = Number(section[key] ?? fallback);
    if (!Number.isInteger(value) || value < min) throw new ConfigError(`NEST_WORDCOUNT_WORKER.${key} must be a whole number ≥ ${min} (got ${JSON.stringify(section[key])})`);
    return value;
  };
  return {
    queue: String(section.QUEUE ?? 'nest_wordcount_queue'),
    concurrency: wholeNumber('CONCURRENCY', 1, 1),
    maxBytes: wholeNumber('MAX_BYTES', 16 * 1024 * 1024, 1),
  };
}
