import { MAX_PAGE_NUMBER, PageQueryDto, pageOf } from './page-query.dto';
import { validateBody } from './validation';

const rules = { notObject: 'Invalid query', closed: 'Invalid query' };
const read = (query: unknown) => validateBody(PageQueryDto, query, rules);

function refusal(query: unknown): string {
  try {
    read(query);
  } catch (err) {
    expect(err).toMatchObject({ name: 'ValidationError', status: 400 });
    return (err as Error).message;
  }
  throw new Error(`accepted: ${JSON.stringify(query)}`);
}

describe('PageQueryDto (?page=&size= of every list)', () => {
  it('reads the query strings as integers; absent or empty is the default', () => {
    expect({ ...read({ page: '2', size: '50' }) }).toEqual({ page: 2, size: 50 });
    expect({ ...read({ page: 3 }) }).toMatchObject({ page: 3 });
    expect({ ...read({ page: '', size: '' }) }).toEqual({ page: undefined, size: undefined });
    expect(pageOf(read({}))).toEqual({ page: 1, size: 100 });
    expect(pageOf(read({ size: '7' }), 20)).toEqual({ page: 1, size: 7 });
    expect(pageOf(undefined, 20)).toEqual({ page: 1, size: 20 });
  });

  it('takes the bounds themselves', () => {
    expect({ ...read({ page: String(MAX_PAGE_NUMBER), size: '1000' }) }).toEqual({ page: MAX_PAGE_NUMBER, size: 1000 });
  });

  it.each([
    ['page 0', { page: '0' }, 'page must be between 1 and 1000000000 (got 0)'],
    ['page past the last', { page: String(MAX_PAGE_NUMBER + 1) }, 'page must be between 1 and 1000000000 (got 1000000001)'],
    ['page negative', { page: '-1' }, 'page must be a positive integer (got "-1")'],
    ['page a word', { page: 'two' }, 'page must be a positive integer (got "two")'],
    ['page a decimal', { page: '1.5' }, 'page must be a positive integer (got "1.5")'],
    ['page repeated', { page: ['1', '2'] }, 'page must be a positive integer (got ["1","2"])'],
    ['size above 1000', { size: '1001' }, 'size must be between 1 and 1000 (got 1001)'],
    ['size 0', { size: 0 }, 'size must be between 1 and 1000 (got 0)'],
  ])('names the parameter: %s', (_case, query, message) => {
    expect(refusal(query)).toBe(message);
  });

  it('names both when both are wrong, and refuses a parameter it does not declare', () => {
    expect(refusal({ page: '0', size: 'all' })).toBe('page must be between 1 and 1000000000 (got 0); size must be a positive integer (got "all")');
    expect(refusal({ page: '1', limit: '10' })).toBe('Invalid query: unexpected field `limit`');
  });
});
