/** @dane/worker/nest — a DANE worker as a Nest microservice (custom transport strategy). Needs @nestjs/common, @nestjs/core, @nestjs/microservices and rxjs. */
export * from './dane-context';
export * from './dane-transport';
export * from './dane-exception-filter';
