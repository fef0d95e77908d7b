import { TaskState } from '@dane/protocol';
import { dependencySpecs, mergeKeys } from './dependencies';

describe('dependencySpecs', () => {
  it('reads task keys and task dicts like Task.from_json', () => {
    const { specs, rejected } = dependencySpecs(['download', { key: 'prep', priority: 7 }, { task: { key: 'asr2', args: { lang: 'nl' } }, priority: 3 }], 'ASR');
    expect(specs).toEqual([
      { key: 'DOWNLOAD', priority: 1, args: {}, depends_on: [] },
      { key: 'PREP', priority: 7, args: {}, depends_on: [] },
      { key: 'ASR2', priority: 3, args: { lang: 'nl' }, depends_on: [] },
    ]);
    expect(rejected).toEqual([]);
  });

  it('drops the waiting task itself and repeats, and rejects what cannot be a task without losing the rest', () => {
    const { specs, rejected } = dependencySpecs(['ASR', 'DOWNLOAD', 'download', 'not a key!', { priority: 2 }], 'ASR');
    expect(specs.map((s) => s.key)).toEqual(['DOWNLOAD']);
    expect(rejected).toHaveLength(2);
    expect(rejected[0].reason).toMatch(/dependency may only contain/);
  });

  it('ignores the _id a worker sends: the server derives ids', () => {
    expect(dependencySpecs([{ key: 'DOWNLOAD', _id: 'abc', state: TaskState.CREATED }], 'ASR').specs[0].key).toBe('DOWNLOAD');
  });
});

describe('mergeKeys', () => {
  it('keeps the first occurrence order', () => {
    expect(mergeKeys(['A', 'B'], ['B', 'C'], ['A'])).toEqual(['A', 'B', 'C']);
  });
});
