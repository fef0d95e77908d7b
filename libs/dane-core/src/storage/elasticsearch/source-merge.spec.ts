import { mergeDoc } from './source-merge';

describe('mergeDoc (the source a partial _update leaves behind)', () => {
  it('merges objects key by key and replaces arrays, nulls and scalars, like Elasticsearch', () => {
    const stored = {
      task: { key: 'ASR', state: 102, msg: 'Queued', args: { lang: 'nl' } },
      updated_at: '2024-01-01T00:00:00',
      dane_node: { attempt: 1, depends_on: ['A', 'B'], lease_until: 5 },
    };
    const after = mergeDoc(stored, { task: { state: 412, msg: 'waits' }, dane_node: { depends_on: ['C'], lease_until: null, not_before: 9 } });
    expect(after).toEqual({
      task: { key: 'ASR', state: 412, msg: 'waits', args: { lang: 'nl' } },
      updated_at: '2024-01-01T00:00:00',
      dane_node: { attempt: 1, depends_on: ['C'], lease_until: null, not_before: 9 },
    });
    expect(stored.dane_node.depends_on).toEqual(['A', 'B']);
  });

  it('puts a whole object where the stored source had none (a task Python wrote)', () => {
    expect(mergeDoc({ task: { key: 'ASR' } }, { dane_node: { attempt: 1 } })).toEqual({ task: { key: 'ASR' }, dane_node: { attempt: 1 } });
  });
});
