import { ArgumentMetadata, Injectable, PipeTransform, Type, ValidationPipe } from '@nestjs/common';
import { DocumentCreateDto, ResultCreateDto, TaskAssignDto, validationFailure } from '@dane/core';

/**
 * Bodies whose DTO is open by contract (extra target/creator/generator keys kept, other task keys
 * become args, legacy wrappers), so whitelisting cannot judge them: their routes validate them with
 * a BodyPipe and dane-core's validate function, from the same DTO classes.
 */
const OPEN_BODIES: ReadonlySet<Type<unknown>> = new Set<Type<unknown>>([DocumentCreateDto, TaskAssignDto, ResultCreateDto]);

/**
 * Nest's ValidationPipe for every route (installed globally by configureApiApp): query and body
 * DTOs are transformed (`?page=2` → 2) and validated, a field the DTO does not declare is refused,
 * and a failure is DANE's 400 `{"message"}` naming the field path (`target.url is required`).
 */
export class DaneValidationPipe extends ValidationPipe {
  constructor() {
    super({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      stopAtFirstError: true,
      exceptionFactory: (errors) => validationFailure(errors),
    });
  }

  protected override toValidate(metadata: ArgumentMetadata): boolean {
    if (metadata.metatype && OPEN_BODIES.has(metadata.metatype)) return false;
    return super.toValidate(metadata);
  }
}

/** Checks a route's body with one of dane-core's DTO validate functions (validateDocument, …). */
@Injectable()
export class BodyPipe<T> implements PipeTransform<unknown, T> {
  constructor(private readonly validate: (body: unknown) => T) {}

  transform(body: unknown): T {
    return this.validate(body);
  }
}
