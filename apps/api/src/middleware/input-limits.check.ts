import { ExecutionContext, Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { Request } from 'express';
import { InputChecker, inputLimits } from './input-limits';

type Check = (checker: InputChecker, body: unknown) => void;

/** The routes whose bodies are stored, by `Controller.handler`, and what is checked of them. */
const BODY_CHECKS: Readonly<Record<string, Check>> = {
  'DocumentController.register': (c, b) => c.document(b),
  'DocumentsController.registerMany': (c, b) => c.documents(b),
  'TaskController.assign': (c, b) => c.task(b),
  'ResultController.save': (c, b) => c.result(b),
  'TaskController.saveResult': (c, b) => c.result(b),
};

/**
 * Size and shape limits of request bodies (LIMITS section): string lengths of ids, urls, keys and
 * messages, nesting and size of args and payloads, list lengths. Run by the ApiRequestGuard after
 * the AuthGuard's checks, so a caller without a key learns nothing from it; a failure is a 400
 * naming the field.
 */
@Injectable()
export class InputLimitsCheck {
  private readonly checker: InputChecker;

  constructor(config: ConfigService) {
    this.checker = new InputChecker(inputLimits(config));
  }

  /** Throws a ValidationError (400) naming the first field over a limit. */
  check(context: ExecutionContext): void {
    const body = context.switchToHttp().getRequest<Request>().body as unknown;
    if (body === undefined) return;
    BODY_CHECKS[`${context.getClass().name}.${context.getHandler().name}`]?.(this.checker, body);
    this.checker.body(body);
  }
}
