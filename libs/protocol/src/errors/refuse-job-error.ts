import { DaneError } from './dane-error';

export class RefuseJobError extends DaneError {
  override readonly status = 503;
  constructor(message = 'Job refused') {
    super(message);
  }
}
