import { DaneError } from './dane-error';

export class ConfigRequiredError extends DaneError {
  override readonly status = 500;
  constructor(message = 'A config.yml is required') {
    super(message);
  }
}
