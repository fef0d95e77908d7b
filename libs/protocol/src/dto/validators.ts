import { registerDecorator, ValidationArguments, ValidationOptions } from 'class-validator';
import { isPlainObject, MAX_TASK_KEY_LENGTH, TASK_KEY_PATTERN } from '../model/vocabulary';
import { STATE_TABLE } from '../state/task-state';

/**
 * The field rules of DANE's request bodies, as class-validator decorators whose messages are the
 * ones the API has always answered. A rule answers `null` when the value passes, else the message;
 * a message starting with `$property` gets the field's path in front (`target.url is required`).
 */
type Rule = (value: unknown, args: ValidationArguments) => string | null;

function rule(name: string, check: Rule, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown, args: ValidationArguments) => check(value, args) === null,
        defaultMessage: (args: ValidationArguments) => check(args.value, args) ?? '',
      },
    });
  };
}

const got = (v: unknown) => JSON.stringify(v ?? null) ?? String(v);

/** A JSON object is required (target, creator, generator). */
export const IsRequiredObject = (message = '$property is required and must be an object') => rule('isRequiredObject', (v) => (isPlainObject(v) ? null : message));

/** An optional JSON object; `null` counts as absent. */
export const IsOptionalObject = (message = '$property must be a JSON object') =>
  rule('isOptionalObject', (v) => (v === undefined || v === null || isPlainObject(v) ? null : message));

/** A non-empty JSON scalar id, hashed with Python's str() (docs/protocol.md, Ids): target.id, creator.id. */
export const IsScalarId = () =>
  rule('isScalarId', (v) => {
    if (v === undefined || v === null) return '$property is required';
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return '$property must be a string or number';
    if (v === '') return '$property must not be empty';
    return null;
  });

/** A required non-empty string (target.url). */
export const IsRequiredString = () =>
  rule('isRequiredString', (v) => {
    if (v === undefined || v === null || v === '') return '$property is required';
    return typeof v === 'string' ? null : '$property must be a string';
  });

/** One of a closed list, named in the message with the value sent. */
export const IsOneOf = (values: readonly string[]) =>
  rule('isOneOf', (v) => (typeof v === 'string' && values.includes(v) ? null : `$property must be one of ${values.join(', ')} (got ${got(v)})`));

/** A task key: letters, digits, `_`, `-` (upper-cased by the model). */
export const IsTaskKey = () => rule('isTaskKey', (v) => taskKeyProblem(v, '$property'));

export function taskKeyProblem(v: unknown, field: string): string | null {
  if (typeof v !== 'string' || v.trim() === '') return `${field} is required and must be a non-empty string`;
  if (v.length > MAX_TASK_KEY_LENGTH) return `${field} must be at most ${MAX_TASK_KEY_LENGTH} characters`;
  if (!TASK_KEY_PATTERN.test(v)) return `${field} may only contain letters, digits, '_' and '-' (got ${JSON.stringify(v)})`;
  return null;
}

/** `depends_on`: a list of task keys, not naming the task's own key (compared upper-cased). */
export const IsDependencyList = () =>
  rule('isDependencyList', (v, args) => {
    if (v === undefined || v === null) return null;
    if (!Array.isArray(v)) return '$property must be a list of task keys';
    for (let i = 0; i < v.length; i++) {
      const problem = taskKeyProblem(v[i], `$property[${i}]`);
      if (problem) return problem;
    }
    const own = (args.object as { key?: unknown }).key;
    if (typeof own === 'string' && v.some((k: string) => k.toUpperCase() === own.toUpperCase())) {
      return `$property must not contain the task's own key ${own.toUpperCase()}`;
    }
    return null;
  });

/** `int(priority)` must succeed (docs/protocol.md, Task): a number, or a string of digits; absent is the default. */
export const IsPriority = () =>
  rule('isPriority', (v) => {
    if (v === undefined || v === null) return null;
    if (typeof v === 'number' && Number.isFinite(v)) return null;
    if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) return null;
    return `$property must be an integer (got ${got(v)})`;
  });

/** A field the server assigns and the client must not send. */
export const IsAbsent = (message: string) => rule('isAbsent', (v) => (v === undefined ? null : message));

/** An optional string; `null` counts as absent. */
export const IsOptionalString = () => rule('isOptionalString', (v) => (v === undefined || v === null || typeof v === 'string' ? null : '$property must be a string'));

/** `document_id` of a task body: one non-empty id, or a list (its elements are judged one by one). */
export const IsDocumentIds = () =>
  rule('isDocumentIds', (v) => {
    if (v === undefined || v === null) return '$property is required';
    if (typeof v === 'string') return v === '' ? '$property must not be empty' : null;
    return Array.isArray(v) ? null : '$property must be a document id or a list of document ids';
  });

/** A query flag already read as a boolean (true/1, false/0/empty); anything else is refused. */
export const IsBooleanFlag = () => rule('isBooleanFlag', (v) => (v === undefined || typeof v === 'boolean' ? null : `$property must be true or false (got ${got(v)})`));

/** A page number or size after the query's string was read as an integer: 1..max; absent or empty is the default. */
export const IsPageNumber = (max: number) =>
  rule('isPageNumber', (v) => {
    if (v === undefined || v === null || v === '') return null;
    if (typeof v !== 'number' || !Number.isInteger(v)) return `$property must be a positive integer (got ${got(v)})`;
    return v >= 1 && v <= max ? null : `$property must be between 1 and ${max} (got ${v})`;
  });

/** Task states read from a query (codes); an entry that is not a state is named with the list of states. */
export const IsStateList = () =>
  rule('isStateList', (v) => {
    if (v === undefined) return null;
    const bad = Array.isArray(v) ? v.find((s) => typeof s !== 'number') : v;
    if (bad === undefined) return null;
    return `$property must be task states (codes or names): ${STATE_TABLE.map((s) => `${s.code} ${s.name}`).join(', ')} (got ${got(bad)})`;
  });

/** `generator.id`: a non-empty string (a number is accepted and stored as its text). */
export const IsGeneratorId = () =>
  rule('isGeneratorId', (v) => {
    if (v === undefined || v === null || v === '') return '$property is required';
    return typeof v === 'string' || typeof v === 'number' ? null : '$property must be a string';
  });

/** A required string that is not blank (generator.name). */
export const IsNonEmptyString = () => rule('isNonEmptyString', (v) => (typeof v === 'string' && v.trim() !== '' ? null : '$property is required and must be a non-empty string'));
