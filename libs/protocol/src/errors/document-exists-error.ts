import { DaneError } from './dane-error';

export class DocumentExistsError extends DaneError {
  override readonly status = 409;
  constructor(message = 'A document with the same target.id and creator.id already exists') {
    super(message);
  }
}
