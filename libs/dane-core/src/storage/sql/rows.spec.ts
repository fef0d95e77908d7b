import { documentFromRow } from './rows';

describe('documentFromRow', () => {
  it('reads the ids of a row written with a number or boolean id (before ids were stored as strings) as their Python str()', () => {
    const row = {
      doc_id: 'd1',
      doc_target: { id: 12345, url: 'u', type: 'Video', lang: 'nl' },
      doc_creator: { id: true, type: 'Human' },
      doc_created_at: 'c',
      doc_updated_at: 'u',
    };
    expect(documentFromRow(row, 'doc_')).toEqual({
      _id: 'd1',
      target: { id: '12345', url: 'u', type: 'Video', lang: 'nl' },
      creator: { id: 'True', type: 'Human' },
      created_at: 'c',
      updated_at: 'u',
    });
  });
});
