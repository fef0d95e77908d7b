import { DaneError } from './dane-error';

export class InvalidStateError extends DaneError {
  override readonly status = 409;
  constructor(message = 'The task is not in a state that allows this') {
    super(message);
  }
}
