import { createHash } from 'node:crypto';
import { ValidationError } from '../errors';
import { createDocument, documentToJson, documentView, withStringIds } from './document';
import { documentId, taskId } from './ids';
import { pythonStr } from './python-str';
import { requoteUri } from './requote-uri';
import { createResult, parseResultInput } from './result';
import { clampPriority, createTask, parseTaskSpec, taskToJson, taskView } from './task';
import { formatTimestamp, TIMESTAMP_PATTERN } from './timestamp';

const sha1 = (s: string) => createHash('sha1').update(s, 'utf8').digest('hex');
const doc = { target: { id: 'ITM123', url: 'http://x/a b.mp4', type: 'Video' }, creator: { id: 'NISV', type: 'Organization' } };

describe('ids (docs/protocol.md, Ids)', () => {
  it('hashes str(target.id) + str(creator.id) without a separator', () => {
    expect(documentId('ITM123', 'NISV')).toBe(sha1('ITM123NISV'));
    expect(documentId('ab', 'c')).toBe(documentId('a', 'bc'));
  });
  it('uses Python str() for non-string ids', () => {
    expect(pythonStr(12345)).toBe('12345');
    expect(pythonStr(true)).toBe('True');
    expect(pythonStr(false)).toBe('False');
    expect(pythonStr(1.5)).toBe('1.5');
    expect(documentId(12345, 'NISV')).toBe(sha1('12345NISV'));
  });
  it('derives the task id from document id + upper-cased key', () => {
    const d = documentId('ITM123', 'NISV');
    expect(taskId(d, 'asr')).toBe(sha1(d + 'ASR'));
  });
});

describe('URL normalisation (the examples of docs/protocol.md)', () => {
  it.each([
    ['http://x/a b.mp4', 'http://x/a%20b.mp4'],
    ['http://x/a%2Fb%41', 'http://x/a%2FbA'],
    ['s3://bucket/key with space', 's3://bucket/key%20with%20space'],
    ['http://x/%7euser/ü?q=a b&x=%zz', 'http://x/%257euser/%C3%BC?q=a%20b&x=%25zz'],
  ])('%s → %s', (input, output) => {
    expect(requoteUri(input)).toBe(output);
  });
  it('strips surrounding whitespace on construction', () => {
    expect(createDocument({ ...doc, target: { ...doc.target, url: '  http://x/a b  ' } }).target.url).toBe('http://x/a%20b');
  });
});

describe('Document rules (docs/protocol.md, Document)', () => {
  it('assigns the id and timestamps', () => {
    const d = createDocument(doc, new Date(2024, 4, 13, 10, 11, 12, 999));
    expect(d._id).toBe(sha1('ITM123NISV'));
    expect(d.created_at).toBe('2024-05-13T10:11:12');
    expect(d.updated_at).toBe(d.created_at);
  });
  it.each([
    [{ ...doc, target: { ...doc.target, type: 'video' } }, /target.type must be one of Dataset, Image, Video, Sound, Text/],
    [{ ...doc, creator: { id: 'x', type: 'Robot' } }, /creator.type must be one of Organization, Human, Software/],
    [{ creator: doc.creator }, /target is required/],
    [{ target: doc.target }, /creator is required/],
    [{ ...doc, target: { id: 'a', type: 'Video' } }, /target.url is required/],
    [{ ...doc, target: { url: 'u', type: 'Video' } }, /target.id is required/],
    [{ ...doc, _id: 'abc' }, /`_id` is assigned by the server/],
    [{ ...doc, role: 'document' }, /unexpected field `role`/],
    [[doc], /must be a JSON object/],
  ])('rejects invalid input %#', (input, message) => {
    expect(() => createDocument(input)).toThrow(ValidationError);
    expect(() => createDocument(input)).toThrow(message);
  });
  it('stores a number or boolean id as its Python str(), the text the _id is hashed from', () => {
    const d = createDocument({ ...doc, target: { ...doc.target, id: 12345 }, creator: { id: true, type: 'Human' } });
    expect(d._id).toBe(sha1('12345True'));
    expect(d.target.id).toBe('12345');
    expect(d.creator.id).toBe('True');
    expect(d.target.id.toUpperCase()).toBe('12345');
    expect(documentView(d)).toMatchObject({ target: { id: '12345' }, creator: { id: 'True' } });
    expect(createDocument({ ...doc, target: { ...doc.target, id: '12345' }, creator: { id: 'True', type: 'Human' } })._id).toBe(d._id);
  });
  it('reads the ids of a document from the wire or a store as strings (withStringIds)', () => {
    const legacy = { _id: 'x', target: { id: 1.5, url: 'u', type: 'Video', lang: 'nl' }, creator: { id: false, type: 'Human' } };
    expect(withStringIds(legacy)).toEqual({ _id: 'x', target: { id: '1.5', url: 'u', type: 'Video', lang: 'nl' }, creator: { id: 'False', type: 'Human' } });
    expect(legacy.target.id).toBe(1.5);
    const current = createDocument(doc);
    expect(withStringIds(current)).toBe(current);
    // Not a scalar: left for the caller's checks (a DTO names the field, a frame check the key).
    expect(withStringIds({ target: { url: 'u' }, creator: null })).toEqual({ target: { url: 'u' }, creator: null });
  });
  it('keeps extra target keys for workers and drops them from the REST view', () => {
    const d = createDocument({ ...doc, target: { ...doc.target, title: 'T' } });
    expect(d.target.title).toBe('T');
    expect(documentView(d)).toEqual({
      _id: d._id,
      target: { id: 'ITM123', url: 'http://x/a%20b.mp4', type: 'Video' },
      creator: doc.creator,
      created_at: d.created_at,
      updated_at: d.updated_at,
    });
    expect(Object.keys(documentToJson(d))).toEqual(['target', 'creator', 'created_at', 'updated_at', '_id']);
  });
});

describe('Task rules (docs/protocol.md, Task)', () => {
  it('upper-cases the key and clamps the priority', () => {
    expect(parseTaskSpec({ key: 'asr', priority: 15 })).toMatchObject({ key: 'ASR', priority: 10 });
    expect(parseTaskSpec({ key: 'asr', priority: -3 }).priority).toBe(0);
    expect(parseTaskSpec({ key: 'asr' }).priority).toBe(1);
    expect(clampPriority('7')).toBe(7);
    expect(() => clampPriority('high')).toThrow(/priority must be an integer/);
  });
  it('builds args from the keywords like the Python constructor', () => {
    expect(parseTaskSpec({ key: 'A', args: { foo: 'bar' } }).args).toEqual({ foo: 'bar' });
    expect(parseTaskSpec({ key: 'A', args: { foo: 'bar' }, extra: 1 }).args).toEqual({ args: { foo: 'bar' }, extra: 1 });
    expect(parseTaskSpec({ key: 'A', lang: 'nl' }).args).toEqual({ lang: 'nl' });
  });
  it('validates keys and dependencies', () => {
    expect(() => parseTaskSpec({ priority: 1 } as never)).toThrow(/key is required/);
    expect(() => parseTaskSpec({ key: 'a.b' })).toThrow(/key may only contain/);
    expect(() => parseTaskSpec({ key: 'A', depends_on: 'B' })).toThrow(/depends_on must be a list/);
    expect(() => parseTaskSpec({ key: 'A', depends_on: ['a'] })).toThrow(/own key/);
    expect(parseTaskSpec({ key: 'A', depends_on: ['b', 'B'] }).depends_on).toEqual(['B']);
  });
  it('serialises like Task.to_json and the REST model', () => {
    const t = createTask(documentId('ITM123', 'NISV'), parseTaskSpec({ key: 'asr' }), new Date(2024, 0, 2, 3, 4, 5));
    expect(t.state).toBe(201);
    expect(Object.keys(taskToJson(t))).toEqual(['key', '_id', 'state', 'msg', 'created_at', 'updated_at', 'priority']);
    expect(taskView(t)).toMatchObject({ state: '201', msg: 'Created', args: { '*': null }, created_at: '2024-01-02T03:04:05' });
  });
});

describe('Result rules (docs/protocol.md, Result)', () => {
  const generator = { id: 'abc123', name: 'filesize', type: 'Software', homepage: 'https://example.org' };
  it('upper-cases the generator name and requires a payload object', () => {
    const input = parseResultInput({ generator, payload: { size: 1 } });
    expect(input.generator.name).toBe('FILESIZE');
    const r = createResult({ _id: 't', document_id: 'd', key: 'FILESIZE' }, input);
    expect(r._id).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(() => parseResultInput({ generator, payload: 'x' })).toThrow(/payload is required and must be a JSON object/);
    expect(() => parseResultInput({ generator: { ...generator, type: 'Bot' }, payload: {} })).toThrow(/generator.type must be one of/);
    expect(() => parseResultInput({ generator: { ...generator, name: '' }, payload: {} })).toThrow(/generator.name is required/);
  });
});

describe('timestamps (docs/protocol.md, Timestamps)', () => {
  it('formats local time without zone or fraction', () => {
    expect(formatTimestamp()).toMatch(TIMESTAMP_PATTERN);
    expect(formatTimestamp(new Date(2022, 9, 26, 10, 26, 35, 500))).toBe('2022-10-26T10:26:35');
  });
});
