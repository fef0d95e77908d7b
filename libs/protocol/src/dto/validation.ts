import 'reflect-metadata';
import { ClassConstructor, plainToInstance } from 'class-transformer';
import { getMetadataStorage, ValidationError as FieldError, validateSync, ValidatorOptions } from 'class-validator';
import { ValidationError } from '../errors';
import { isPlainObject } from '../model/vocabulary';

/**
 * What every DTO check runs with: one message per field (the first rule it breaks), and objects
 * without rules of their own (free-form args, payloads) allowed.
 */
export const DTO_VALIDATOR_OPTIONS: ValidatorOptions = { stopAtFirstError: true, forbidUnknownValues: false };

function childPath(parent: string, property: string): string {
  if (!parent) return property;
  return /^\d+$/.test(property) ? `${parent}[${property}]` : `${parent}.${property}`;
}

/**
 * class-validator's errors as DANE's 400 texts: each names the field by its path (`target.url`,
 * `depends_on[2]`), a field the DTO does not declare is `property <path> should not exist`.
 */
export function validationMessages(errors: readonly FieldError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = childPath(parent, e.property);
    const own = Object.entries(e.constraints ?? {}).map(([rule, message]) => {
      if (rule === 'whitelistValidation') return `property ${path} should not exist`;
      return message.startsWith(e.property) ? path + message.slice(e.property.length) : message;
    });
    return [...own, ...validationMessages(e.children ?? [], path)];
  });
}

/** The ValidationError (400) for a list of class-validator errors. */
export function validationFailure(errors: readonly FieldError[]): ValidationError {
  return new ValidationError(validationMessages(errors).join('; ') || 'Invalid request');
}

/** Names of the properties a DTO class declares rules for (inherited ones included). */
export function declaredProperties(cls: ClassConstructor<object>): Set<string> {
  return new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(cls, '', true, false)
      .map((m) => m.propertyName),
  );
}

export interface BodyRules {
  /** The 400 message when the body is not a JSON object. */
  notObject: string;
  /**
   * When set, a top-level key the DTO does not declare is a 400 `<closed>: unexpected field \`k\``.
   * Nested objects stay open (extra target/creator/generator keys are kept for the workers).
   */
  closed?: string;
}

/**
 * Validates a request body against a DTO class (class-transformer + class-validator) and answers
 * the DTO instance; a failure is a ValidationError (400) naming the field path. An instance of the
 * class (already validated, e.g. by a pipe) is answered as it is.
 */
export function validateBody<T extends object>(cls: ClassConstructor<T>, input: unknown, rules: BodyRules): T {
  if (input instanceof cls) return input;
  if (!isPlainObject(input)) throw new ValidationError(rules.notObject);
  if (rules.closed) {
    const known = declaredProperties(cls);
    const unexpected = Object.keys(input).find((k) => !known.has(k));
    if (unexpected !== undefined) throw new ValidationError(`${rules.closed}: unexpected field \`${unexpected}\``);
  }
  const dto = plainToInstance(cls, input);
  const errors = validateSync(dto, DTO_VALIDATOR_OPTIONS);
  if (errors.length > 0) throw validationFailure(errors);
  return dto;
}

/** The own enumerable fields of a DTO instance that hold a value (class fields start out undefined). */
export function definedEntries(dto: object): [string, unknown][] {
  return Object.entries(dto).filter(([, v]) => v !== undefined);
}
