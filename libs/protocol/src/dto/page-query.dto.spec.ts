import { encodeCursor } from '../paging/cursor';
import { KeysetPageQueryDto, MAX_PAGE_NUMBER, PageQueryDto, pageOf } from './page-query.dto';
import { validateBody } from './validation';
import { refusalOf } from '../../../../test/support/refusal';

const rules = { notObject: 'Invalid query', closed: 'Invalid query' };
const read = (query: unknown) => validateBody(PageQueryDto, query, rules);

const refusal = refusalOf(read);

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

describe('KeysetPageQueryDto (?cursor= of the lists that page by keyset)', () => {
  const readKeyset = (query: unknown) => validateBody(KeysetPageQueryDto, query, rules);
  const cursor = encodeCursor('tasks', [42]);

  it('passes a cursor the server gave out on to the store, with the size; empty is absent', () => {
    expect(pageOf(readKeyset({ cursor, size: '5' }))).toEqual({ page: 1, size: 5, cursor });
    expect(pageOf(readKeyset({ cursor: '' }))).toEqual({ page: 1, size: 100 });
    expect(pageOf(readKeyset({ page: '2' }))).toEqual({ page: 2, size: 100 });
  });

  it.each([
    ['not base64url', '!!'],
    ['not JSON', 'bm9wZQ'],
    ['not a list', Buffer.from('{"t":1}').toString('base64url')],
    ['a key that is not an integer', Buffer.from('["t",1.5]').toString('base64url')],
    ['too long', 'A'.repeat(201)],
  ])('refuses a cursor that is %s, naming it', (_case, bad) => {
    expect(() => readKeyset({ cursor: bad })).toThrow(/^cursor is not a cursor this server gave out/);
  });

  it('refuses a repeated cursor, and a cursor with a page number', () => {
    expect(() => readKeyset({ cursor: [cursor, cursor] })).toThrow(/^cursor must be a string/);
    expect(() => pageOf(readKeyset({ cursor, page: '3' }))).toThrow('cursor and page exclude each other');
  });

  it('is not a parameter of the plain page query', () => {
    expect(() => read({ cursor })).toThrow('Invalid query: unexpected field `cursor`');
  });
});
