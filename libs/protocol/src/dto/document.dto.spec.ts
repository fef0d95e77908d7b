import { CreatorDto, DocumentCreateDto, DocumentSearchQueryDto, TargetDto, validateDocument } from './document.dto';
import { validateBody } from './validation';
import { refusalOf } from '../../../../test/support/refusal';

const TARGET_TYPES_TEXT = 'Dataset, Image, Video, Sound, Text';
const CREATOR_TYPES_TEXT = 'Organization, Human, Software';

const valid = () => ({
  target: { id: 'ITM123', url: 'http://example.com/a b.mp4', type: 'Video' },
  creator: { id: 'NISV', type: 'Organization' },
});

/** The 400 message validateDocument answers for `input` (the test fails when it passes). */
const refusal = refusalOf(validateDocument);

describe('DocumentCreateDto (POST /DANE/document/, each element of POST /DANE/documents/)', () => {
  it('passes a valid body as DTO instances, keeping extra target/creator keys and the url as sent', () => {
    const body = { ...valid(), created_at: 'ignored', updated_at: null };
    body.target = { ...body.target, lang: 'nl' } as typeof body.target;
    const dto = validateDocument(body);
    expect(dto).toBeInstanceOf(DocumentCreateDto);
    expect(dto.target).toBeInstanceOf(TargetDto);
    expect(dto.creator).toBeInstanceOf(CreatorDto);
    expect(dto.target).toMatchObject({ id: 'ITM123', url: 'http://example.com/a b.mp4', type: 'Video', lang: 'nl' });
    expect(dto.creator).toMatchObject({ id: 'NISV', type: 'Organization' });
  });

  it('takes numbers and booleans as ids (hashed with str())', () => {
    expect(validateDocument({ ...valid(), target: { ...valid().target, id: 42 }, creator: { id: true, type: 'Human' } }).target.id).toBe(42);
  });

  it('answers an instance it is given as it is', () => {
    const dto = validateDocument(valid());
    expect(validateDocument(dto)).toBe(dto);
  });

  it('refuses a body that is not a JSON object', () => {
    for (const body of [[], 'doc', null, 5]) expect(refusal(body)).toBe('Invalid document format: a document must be a JSON object');
  });

  it('refuses a top-level key it does not declare, and a client-chosen _id', () => {
    expect(refusal({ ...valid(), owner: 'me' })).toBe('Invalid document format: unexpected field `owner`');
    expect(refusal({ ...valid(), _id: 'abc' })).toBe('Invalid document format: `_id` is assigned by the server and must not be sent');
  });

  it.each([
    ['target missing', { creator: valid().creator }, 'target is required and must be an object'],
    ['target a list', { ...valid(), target: [] }, 'target is required and must be an object'],
    ['creator missing', { target: valid().target }, 'creator is required and must be an object'],
    ['target.id missing', { ...valid(), target: { url: 'http://x', type: 'Video' } }, 'target.id is required'],
    ['target.id an object', { ...valid(), target: { ...valid().target, id: {} } }, 'target.id must be a string or number'],
    ['target.id empty', { ...valid(), target: { ...valid().target, id: '' } }, 'target.id must not be empty'],
    ['target.url missing', { ...valid(), target: { id: 'ITM', type: 'Video' } }, 'target.url is required'],
    ['target.url empty', { ...valid(), target: { ...valid().target, url: '' } }, 'target.url is required'],
    ['target.url a number', { ...valid(), target: { ...valid().target, url: 5 } }, 'target.url must be a string'],
    ['target.type unknown', { ...valid(), target: { ...valid().target, type: 'Movie' } }, `target.type must be one of ${TARGET_TYPES_TEXT} (got "Movie")`],
    ['target.type missing', { ...valid(), target: { id: 'ITM', url: 'http://x' } }, `target.type must be one of ${TARGET_TYPES_TEXT} (got null)`],
    ['creator.id missing', { ...valid(), creator: { type: 'Human' } }, 'creator.id is required'],
    ['creator.type unknown', { ...valid(), creator: { id: 'N', type: 'Robot' } }, `creator.type must be one of ${CREATOR_TYPES_TEXT} (got "Robot")`],
  ])('names the field: %s', (_case, body, message) => {
    expect(refusal(body)).toBe(message);
  });

  it('names every refused field, one message each, in declaration order', () => {
    expect(refusal({ target: { id: '', type: 'Movie' }, creator: { id: 'N', type: 'Robot' } })).toBe(
      `target.id must not be empty; target.url is required; target.type must be one of ${TARGET_TYPES_TEXT} (got "Movie"); creator.type must be one of ${CREATOR_TYPES_TEXT} (got "Robot")`,
    );
  });
});

describe('DocumentSearchQueryDto (GET /DANE/search/document/)', () => {
  const rules = { notObject: 'Invalid query', closed: 'Invalid query' };

  it('passes the patterns and reads the page numbers', () => {
    const q = validateBody(DocumentSearchQueryDto, { target_id: 'ITM*', creator_id: 'NI?V', page: '2', size: '50' }, rules);
    expect(q).toBeInstanceOf(DocumentSearchQueryDto);
    expect({ ...q }).toEqual({ target_id: 'ITM*', creator_id: 'NI?V', page: 2, size: 50 });
  });

  it('refuses a repeated pattern and a parameter it does not declare', () => {
    expect(() => validateBody(DocumentSearchQueryDto, { target_id: ['a', 'b'] }, rules)).toThrow(/^target_id must be a string$/);
    expect(() => validateBody(DocumentSearchQueryDto, { q: 'x' }, rules)).toThrow(/^Invalid query: unexpected field `q`$/);
  });
});
