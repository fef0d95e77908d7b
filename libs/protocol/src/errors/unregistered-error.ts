import { DaneError } from './dane-error';

export class UnregisteredError extends DaneError {
  override readonly status = 404;
  constructor(message = 'The object is not registered') {
    super(message);
  }
}
