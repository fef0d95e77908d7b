import { DaneError } from './dane-error';

export class ValidationError extends DaneError {
  override readonly status = 400;
  constructor(message = 'Invalid input') {
    super(message);
  }
}
