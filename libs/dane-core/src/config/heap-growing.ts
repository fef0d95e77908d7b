import { setFlagsFromString } from 'node:v8';
import { DaneConfig } from '@dane/protocol';

/**
 * How far the process's JavaScript heap may grow past what the last full garbage collection left
 * alive before the next one: DANE.HEAP_GROWING_PERCENT (checked by loadConfig) as V8's
 * `--heap-growing-percent`. V8 reads the flag after every full collection, so setting it at start-up
 * holds for the process's life, its threads' too. V8's own factor goes up to 4× when collections are
 * cheap: the single-machine server (~35 MB alive) then carried 100–150 MB of heap, most of it garbage
 * not collected yet. Returns the percent applied (0: V8's own heuristics, the flag left alone).
 */
export function applyHeapGrowing(config: DaneConfig): number {
  const percent = Number(config.DANE?.HEAP_GROWING_PERCENT ?? 0);
  if (!Number.isInteger(percent) || percent <= 0) return 0;
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  return percent;
}
