import { DaneApiError } from './dane-api-error';

/** 503: the server runs but a service behind it does not (store, broker, RabbitMQ management API). */
export class ServiceUnavailableError extends DaneApiError {}
