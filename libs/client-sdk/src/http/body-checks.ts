import { validateDocument, validateResult, validateTaskAssignment, ValidationError } from '@dane/protocol';

/**
 * How the API checks the body of a route: one of dane-core's DTO validate functions (its BodyPipe
 * runs the same one). It throws dane-core's ValidationError with the 400 message the API answers.
 */
export type BodyCheck = (body: unknown) => unknown;

/** The DTO check of each route the client sends a body to, as the API's controllers use them. */
export const BODY_CHECKS = {
  /** `POST /DANE/document/` (DocumentController, DocumentCreateDto) and each element of `POST /DANE/documents/`. */
  document: validateDocument,
  /** `POST /DANE/task/`, one document id or a list (TaskController, TaskAssignDto). */
  taskAssignment: validateTaskAssignment,
  /** `POST /DANE/task/<id>/result` and `POST /DANE/result/` (ResultCreateDto). */
  result: validateResult,
} satisfies Record<string, BodyCheck>;

/**
 * The 400 message the API would answer for `body` under `check`, or undefined when it passes. The
 * body is judged as the server gets it: as its JSON (undefined fields dropped, dates as strings).
 */
export function bodyProblem(check: BodyCheck, json: string): string | undefined {
  try {
    check(JSON.parse(json));
    return undefined;
  } catch (err) {
    if (err instanceof ValidationError) return err.message;
    throw err;
  }
}
