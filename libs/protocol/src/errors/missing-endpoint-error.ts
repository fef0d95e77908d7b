import { DaneError } from './dane-error';

export class MissingEndpointError extends DaneError {
  override readonly status = 400;
  constructor(message = 'Missing endpoint') {
    super(message);
  }
}
