import { GeneratorDto, ResultCreateDto, ResultQueryDto, validateResult } from './result.dto';
import { validateBody } from './validation';
import { refusalOf } from '../../../../test/support/refusal';

const generator = () => ({ id: 'a1b2c3d', name: 'asr', type: 'Software', homepage: 'https://example.com/asr' });
const valid = () => ({ task_id: 't1', generator: generator(), payload: { transcript: 'hello' } });

/** The 400 message validateResult answers for `input` (the test fails when it passes). */
const refusal = refusalOf(validateResult);

describe('ResultCreateDto (POST /DANE/result/, POST /DANE/task/<id>/result)', () => {
  it('passes a valid body as DTO instances, keeping extra generator keys', () => {
    const dto = validateResult({ ...valid(), generator: { ...generator(), version: '2.1' } });
    expect(dto).toBeInstanceOf(ResultCreateDto);
    expect(dto.generator).toBeInstanceOf(GeneratorDto);
    expect(dto).toMatchObject({ task_id: 't1', generator: { id: 'a1b2c3d', name: 'asr', type: 'Software', version: '2.1' }, payload: { transcript: 'hello' } });
  });

  it('needs no task_id (the route may carry it), and takes a numeric generator id and a null homepage', () => {
    const dto = validateResult({ generator: { ...generator(), id: 42, homepage: null }, payload: {} });
    expect(dto.task_id).toBeUndefined();
    expect(dto.generator).toMatchObject({ id: 42, homepage: null });
    expect(validateResult({ ...valid(), task_id: null }).task_id).toBeNull();
  });

  it('unwraps {"result": {...}} (Result.to_json), and only when it is the one key', () => {
    expect(validateResult({ result: valid() })).toMatchObject(valid());
    expect(refusal({ result: valid(), task_id: 't1' })).toBe('Invalid result format: unexpected field `result`');
  });

  it('answers an instance it is given as it is', () => {
    const dto = validateResult(valid());
    expect(validateResult(dto)).toBe(dto);
  });

  it('refuses a body that is not a JSON object, and a top-level key it does not declare', () => {
    for (const body of [[], 'result', null]) expect(refusal(body)).toBe('Invalid result format: a result must be a JSON object');
    expect(refusal({ ...valid(), score: 0.9 })).toBe('Invalid result format: unexpected field `score`');
  });

  it.each([
    ['payload an array', { ...valid(), payload: [] }, 'payload is required and must be a JSON object'],
    ['payload missing', { task_id: 't1', generator: generator() }, 'payload is required and must be a JSON object'],
    ['payload a string', { ...valid(), payload: 'hello' }, 'payload is required and must be a JSON object'],
    ['generator missing', { task_id: 't1', payload: {} }, 'generator is required and must be an object'],
    ['generator.id missing', { ...valid(), generator: { name: 'asr', type: 'Software' } }, 'generator.id is required'],
    ['generator.id a boolean', { ...valid(), generator: { ...generator(), id: true } }, 'generator.id must be a string'],
    ['generator.name blank', { ...valid(), generator: { ...generator(), name: ' ' } }, 'generator.name is required and must be a non-empty string'],
    ['generator.type unknown', { ...valid(), generator: { ...generator(), type: 'Robot' } }, 'generator.type must be one of Organization, Human, Software (got "Robot")'],
    ['generator.homepage a number', { ...valid(), generator: { ...generator(), homepage: 5 } }, 'generator.homepage must be a string'],
    ['task_id a number', { ...valid(), task_id: 5 }, 'task_id must be a string'],
  ])('names the field: %s', (_case, body, message) => {
    expect(refusal(body)).toBe(message);
  });

  it('names every refused field', () => {
    expect(refusal({ task_id: 5, generator: { id: '', name: 'asr', type: 'Robot' }, payload: [] })).toBe(
      'task_id must be a string; generator.id is required; generator.type must be one of Organization, Human, Software (got "Robot"); payload is required and must be a JSON object',
    );
  });
});

describe('ResultQueryDto (GET /DANE/results/)', () => {
  const rules = { notObject: 'Invalid query', closed: 'Invalid query' };

  it('passes the filters as sent and reads the page numbers', () => {
    const q = validateBody(ResultQueryDto, { task_key: 'asr', generator_name: 'asr', document_id: 'd1', page: '3', size: '50' }, rules);
    expect({ ...q }).toEqual({ task_key: 'asr', generator_name: 'asr', document_id: 'd1', page: 3, size: 50 });
  });

  it('refuses a repeated filter and a parameter it does not declare', () => {
    expect(() => validateBody(ResultQueryDto, { generator_id: ['a', 'b'] }, rules)).toThrow(/^generator_id must be a string$/);
    expect(() => validateBody(ResultQueryDto, { state: '200' }, rules)).toThrow(/^Invalid query: unexpected field `state`$/);
  });
});
