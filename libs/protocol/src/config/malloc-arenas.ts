/**
 * glibc's limit on malloc arenas that DANE's processes run with unless MALLOC_ARENA_MAX is set. glibc
 * gives every thread that allocates an arena of its own (up to 8 per core), each keeping the memory it
 * once held; the single-machine server has PGlite on a thread of its own besides the main thread and
 * libuv's pool. With 2 arenas its 100,000-task soak peaked 11 MB lower (295 against 306 MB with glibc's
 * default, 16 arenas on 2 cores) at the same throughput and CPU (docs/performance.md, Round 5). glibc
 * reads the variable when the process starts, so it is set for a process, not by it: by `npm start`,
 * `dane up`, the container image and the bench.
 */
export const DEFAULT_MALLOC_ARENA_MAX = '2';

/** `env` with MALLOC_ARENA_MAX set to DEFAULT_MALLOC_ARENA_MAX unless it already has one (an operator's own choice stays). */
export function withMallocArenaMax<T extends Record<string, string | undefined>>(env: T): T & { MALLOC_ARENA_MAX: string } {
  const own = env.MALLOC_ARENA_MAX;
  return { ...env, MALLOC_ARENA_MAX: own !== undefined && own !== '' ? own : DEFAULT_MALLOC_ARENA_MAX };
}
