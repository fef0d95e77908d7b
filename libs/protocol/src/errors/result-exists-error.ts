import { DaneError } from './dane-error';

export class ResultExistsError extends DaneError {
  override readonly status = 404;
  constructor(message = 'No such result') {
    super(message);
  }
}
