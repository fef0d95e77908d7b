import { parseTaskSpec } from '../model/task';
import { TaskActionQueryDto, TaskAssignDto, TaskSpecDto, validateTaskAssignment, validateTaskSpec } from './task.dto';
import { validateBody } from './validation';
import { refusalOf } from '../../../../test/support/refusal';

const KEY_CHARS = "may only contain letters, digits, '_' and '-'";

/** The 400 message `validate` answers for `input` (the test fails when it passes). */
function refusal(validate: (input: unknown) => unknown, input: unknown): string {
  return refusalOf(validate)(input);
}

describe('TaskAssignDto (POST /DANE/task/)', () => {
  it('passes a valid body; priority is left as sent (a string of digits too) for the model to int() and clamp', () => {
    const dto = validateTaskAssignment({ document_id: 'd1', key: 'asr', priority: '3', args: { lang: 'nl' }, depends_on: ['download'] });
    expect(dto).toBeInstanceOf(TaskAssignDto);
    expect({ ...dto }).toEqual({ document_id: 'd1', key: 'asr', priority: '3', args: { lang: 'nl' }, depends_on: ['download'] });
    expect(parseTaskSpec(dto)).toEqual({ key: 'ASR', priority: 3, args: { lang: 'nl' }, depends_on: ['DOWNLOAD'] });
  });

  it('passes priorities outside 0..10 (int(priority) is clamped by the model, not refused)', () => {
    expect(validateTaskAssignment({ document_id: 'd1', key: 'A', priority: 11 }).priority).toBe(11);
    expect(parseTaskSpec(validateTaskAssignment({ document_id: 'd1', key: 'A', priority: 11 })).priority).toBe(10);
    expect(parseTaskSpec(validateTaskAssignment({ document_id: 'd1', key: 'A', priority: ' -4 ' })).priority).toBe(0);
  });

  it('is open: keys it does not declare are task arguments, and then `args` may be anything', () => {
    const dto = validateTaskAssignment({ document_id: 'd1', key: 'A', colour: 'red', args: 'x' });
    expect(dto).toMatchObject({ colour: 'red', args: 'x' });
    expect(parseTaskSpec(dto).args).toEqual({ colour: 'red', args: 'x' });
  });

  it('takes a list of document ids (elements are judged one by one by the service)', () => {
    expect(validateTaskAssignment({ document_id: ['a', 5, ''], key: 'A' }).document_id).toEqual(['a', 5, '']);
  });

  it('merges the web UI form {document_id, task: {...}}, the top level winning', () => {
    const dto = validateTaskAssignment({ document_id: 'd1', priority: 7, task: { key: 'asr', priority: 2 } });
    expect({ ...dto }).toEqual({ document_id: 'd1', key: 'asr', priority: 7 });
    expect(refusal(validateTaskAssignment, { document_id: 'd1', task: 'asr' })).toBe('Invalid task format: `task` must be an object');
  });

  it('answers an instance it is given as it is', () => {
    const dto = validateTaskAssignment({ document_id: 'd1', key: 'A' });
    expect(validateTaskAssignment(dto)).toBe(dto);
  });

  it('refuses a body that is not a JSON object', () => {
    for (const body of [[], 'ASR', null]) expect(refusal(validateTaskAssignment, body)).toBe('Invalid task format: expected a JSON object with document_id and key');
  });

  it.each([
    ['key missing', { document_id: 'd1' }, 'key is required and must be a non-empty string'],
    ['key blank', { document_id: 'd1', key: '  ' }, 'key is required and must be a non-empty string'],
    ['key with a space', { document_id: 'd1', key: 'speech to text' }, `key ${KEY_CHARS} (got "speech to text")`],
    ['key too long', { document_id: 'd1', key: 'K'.repeat(201) }, 'key must be at most 200 characters'],
    ['priority a word', { document_id: 'd1', key: 'A', priority: 'high' }, 'priority must be an integer (got "high")'],
    ['priority a decimal string', { document_id: 'd1', key: 'A', priority: '1.5' }, 'priority must be an integer (got "1.5")'],
    ['priority a list', { document_id: 'd1', key: 'A', priority: [1] }, 'priority must be an integer (got [1])'],
    ['args not an object', { document_id: 'd1', key: 'A', args: ['nl'] }, 'args must be a JSON object'],
    ['depends_on a string', { document_id: 'd1', key: 'A', depends_on: 'DOWNLOAD' }, 'depends_on must be a list of task keys'],
    ['depends_on[2] with a space', { document_id: 'd1', key: 'A', depends_on: ['B', 'C', 'x y'] }, `depends_on[2] ${KEY_CHARS} (got "x y")`],
    ['depends_on[0] empty', { document_id: 'd1', key: 'A', depends_on: [''] }, 'depends_on[0] is required and must be a non-empty string'],
    ['depends_on naming the key', { document_id: 'd1', key: 'asr', depends_on: ['B', 'ASR'] }, "depends_on must not contain the task's own key ASR"],
    ['document_id missing', { key: 'A' }, 'document_id is required'],
    ['document_id empty', { document_id: '', key: 'A' }, 'document_id must not be empty'],
    ['document_id a number', { document_id: 5, key: 'A' }, 'document_id must be a document id or a list of document ids'],
    ['_id sent', { document_id: 'd1', key: 'A', _id: 'x' }, 'Invalid task format: `_id` is assigned by the server and must not be sent'],
  ])('names the field: %s', (_case, body, message) => {
    expect(refusal(validateTaskAssignment, body)).toBe(message);
  });

  it("names every refused field: TaskAssignDto's own (document_id) first, then those of TaskSpecDto", () => {
    expect(refusal(validateTaskAssignment, { key: 'a b', priority: 'x' })).toBe(`document_id is required; key ${KEY_CHARS} (got "a b"); priority must be an integer (got "x")`);
  });
});

describe('TaskSpecDto (a task without its document: worker dependencies, the model)', () => {
  it('passes the keywords and needs no document_id', () => {
    const dto = validateTaskSpec({ key: 'ASR', priority: 2, depends_on: ['DOWNLOAD'], state: 201, msg: 'ok' });
    expect(dto).toBeInstanceOf(TaskSpecDto);
    expect(dto).toMatchObject({ key: 'ASR', priority: 2, depends_on: ['DOWNLOAD'] });
  });

  it('refuses what TaskAssignDto refuses, with its own not-an-object text', () => {
    expect(refusal(validateTaskSpec, ['ASR'])).toBe('Invalid task format: a task must be a JSON object');
    expect(refusal(validateTaskSpec, { key: 'a.b' })).toBe(`key ${KEY_CHARS} (got "a.b")`);
  });
});

describe('TaskActionQueryDto (?cascade= of the task actions)', () => {
  const rules = { notObject: 'Invalid query', closed: 'Invalid query' };
  const cascade = (value: unknown) => validateBody(TaskActionQueryDto, value === undefined ? {} : { cascade: value }, rules).cascade;

  it('reads true/1 and false/0/empty as booleans; absent stays absent', () => {
    expect([cascade('true'), cascade('1'), cascade('false'), cascade('0'), cascade(''), cascade(undefined)]).toEqual([true, true, false, false, false, undefined]);
  });

  it('refuses any other value, and parameters it does not declare', () => {
    expect(refusal((q) => validateBody(TaskActionQueryDto, q, rules), { cascade: 'yes' })).toBe('cascade must be true or false (got "yes")');
    expect(refusal((q) => validateBody(TaskActionQueryDto, q, rules), { cascade: 'true', force: '1' })).toBe('Invalid query: unexpected field `force`');
  });
});
