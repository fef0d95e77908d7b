import { DaneError } from './dane-error';

export class APIRegistrationError extends DaneError {
  override readonly status = 400;
  constructor(message = 'API registration failed') {
    super(message);
  }
}
