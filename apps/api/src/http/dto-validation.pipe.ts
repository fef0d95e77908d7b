import { ValidationError as ClassValidatorError, ValidationPipe } from '@nestjs/common';
import { ValidationError } from '@dane/core';

function messages(errors: ClassValidatorError[], parent = ''): string[] {
  return errors.flatMap((e) => {
    const path = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => (m.startsWith(e.property) ? path + m.slice(e.property.length) : m));
    return [...own, ...messages(e.children ?? [], path)];
  });
}

/**
 * class-validator for the fixed-shape DTOs (queries, key bodies); failures are 400s that name the
 * field, and a field the DTO does not declare is one (`property x should not exist`).
 */
export const dtoValidationPipe = new ValidationPipe({
  transform: false,
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: false,
  exceptionFactory: (errors) => new ValidationError(messages(errors).join('; ') || 'Invalid request'),
});
