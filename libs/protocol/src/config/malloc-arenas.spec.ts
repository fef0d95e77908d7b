import { DEFAULT_MALLOC_ARENA_MAX, withMallocArenaMax } from './malloc-arenas';

describe('withMallocArenaMax', () => {
  it('sets MALLOC_ARENA_MAX to 2 when the environment has none, keeping the rest', () => {
    expect(DEFAULT_MALLOC_ARENA_MAX).toBe('2');
    expect(withMallocArenaMax({ PATH: '/bin', DANE_DANE__PORT: '5600' })).toEqual({ PATH: '/bin', DANE_DANE__PORT: '5600', MALLOC_ARENA_MAX: '2' });
    expect(withMallocArenaMax({ MALLOC_ARENA_MAX: '' })).toEqual({ MALLOC_ARENA_MAX: '2' });
  });

  it("keeps an operator's own value and does not change the environment it was given", () => {
    const env = { MALLOC_ARENA_MAX: '8' };
    expect(withMallocArenaMax(env)).toEqual({ MALLOC_ARENA_MAX: '8' });
    const bare: Record<string, string> = { HOME: '/home/x' };
    withMallocArenaMax(bare);
    expect(bare).toEqual({ HOME: '/home/x' });
  });
});
