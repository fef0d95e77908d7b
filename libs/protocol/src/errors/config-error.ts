import { DaneError } from './dane-error';

export class ConfigError extends DaneError {
  override readonly status = 500;
  constructor(message = 'Invalid configuration') {
    super(message);
  }
}
