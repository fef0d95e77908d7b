import { DaneError } from './dane-error';

export class BrokerUnavailableError extends DaneError {
  override readonly status = 503;
  constructor(message = 'Message broker unavailable') {
    super(message);
  }
}
