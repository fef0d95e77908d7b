import v8 from 'node:v8';
import { builtInDefaults } from '@dane/protocol';
import { applyHeapGrowing } from './heap-growing';

describe('applyHeapGrowing (DANE.HEAP_GROWING_PERCENT)', () => {
  afterEach(() => jest.restoreAllMocks());

  it('sets V8’s --heap-growing-percent to the configured percent (50 by default)', () => {
    // Spied and not called through: the suite's own heap keeps V8's heuristics.
    const flags = jest.spyOn(v8, 'setFlagsFromString').mockImplementation(() => undefined);
    expect(applyHeapGrowing(builtInDefaults('/tmp/'))).toBe(50);
    expect(flags).toHaveBeenCalledWith('--heap-growing-percent=50');
    expect(applyHeapGrowing({ DANE: { HEAP_GROWING_PERCENT: 120 } })).toBe(120);
    expect(flags).toHaveBeenLastCalledWith('--heap-growing-percent=120');
  });

  it('leaves V8’s own heuristics alone for 0', () => {
    const flags = jest.spyOn(v8, 'setFlagsFromString').mockImplementation(() => undefined);
    expect(applyHeapGrowing({ DANE: { HEAP_GROWING_PERCENT: 0 } })).toBe(0);
    expect(flags).not.toHaveBeenCalled();
  });
});
