import { DaneError } from './dane-error';

export class TaskAssignedError extends DaneError {
  override readonly status = 409;
  constructor(message = 'The task is already assigned to the document') {
    super(message);
  }
}
