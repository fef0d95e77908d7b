import { DaneError } from './dane-error';

export class NotFoundError extends DaneError {
  override readonly status = 404;
  constructor(message = 'Not found') {
    super(message);
  }
}
