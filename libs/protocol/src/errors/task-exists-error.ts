import { DaneError } from './dane-error';

export class TaskExistsError extends DaneError {
  override readonly status = 404;
  constructor(message = 'No such task') {
    super(message);
  }
}
