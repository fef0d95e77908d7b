import { STATE_TABLE, TaskState } from '../state/task-state';
import { TaskListQueryDto } from './task-list-query.dto';
import { validateBody } from './validation';
import { refusalOf } from '../../../../test/support/refusal';

const rules = { notObject: 'Invalid query', closed: 'Invalid query' };
const read = (query: unknown) => validateBody(TaskListQueryDto, query, rules);
const STATES_TEXT = STATE_TABLE.map((s) => `${s.code} ${s.name}`).join(', ');

const refusal = refusalOf(read);

describe('TaskListQueryDto (?key=&state=&page=&size= of the task lists)', () => {
  it('reads states as codes or names (any case), comma-separated or repeated, without duplicates', () => {
    expect(read({ state: '500,error, 412' }).state).toEqual([TaskState.ERROR, TaskState.UNFINISHED_DEPENDENCY]);
    expect(read({ state: ['queued', '200'] }).state).toEqual([TaskState.QUEUED, TaskState.SUCCESS]);
  });

  it('passes the key as sent (matched upper-cased by the store) and the page numbers as integers', () => {
    expect({ ...read({ key: 'asr', page: '2', size: '10' }) }).toEqual({ key: 'asr', state: undefined, page: 2, size: 10 });
  });

  it('treats empty parameters as absent', () => {
    expect({ ...read({ key: '', state: '' }) }).toEqual({ key: undefined, state: undefined });
  });

  it.each([
    ['a state that is no state', { state: 'done' }, `state must be task states (codes or names): ${STATES_TEXT} (got "done")`],
    ['an unknown code among known ones', { state: '200,299' }, `state must be task states (codes or names): ${STATES_TEXT} (got "299")`],
    ['a key with a space', { key: 'a b' }, `key may only contain letters, digits, '_' and '-' (got "a b")`],
    ['a repeated key', { key: ['A', 'B'] }, 'key is required and must be a non-empty string'],
    ['a bad page', { page: '0' }, 'page must be between 1 and 1000000000 (got 0)'],
  ])('names the parameter: %s', (_case, query, message) => {
    expect(refusal(query)).toBe(message);
  });

  it('refuses a parameter it does not declare', () => {
    expect(refusal({ key: 'ASR', sort: 'created_at' })).toBe('Invalid query: unexpected field `sort`');
  });
});
