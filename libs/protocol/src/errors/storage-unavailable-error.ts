import { DaneError } from './dane-error';

export class StorageUnavailableError extends DaneError {
  override readonly status = 503;
  constructor(message = 'Storage unavailable') {
    super(message);
  }
}
