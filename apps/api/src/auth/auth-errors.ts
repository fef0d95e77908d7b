import { DaneError } from '@dane/core';

/** 401: no key, or one we do not know. The guard sets `WWW-Authenticate: Bearer`. */
export class AuthenticationError extends DaneError {
  override readonly status = 401;
}

/** 403: a known key whose role is too low for the route. */
export class ForbiddenError extends DaneError {
  override readonly status = 403;
}

/** 429: the key's submissions this minute are used up. The guard sets `Retry-After`. */
export class RateLimitedError extends DaneError {
  override readonly status = 429;
}

/** 405: HEAD on a legacy GET route that changes things (Express would run the GET handler). */
export class MethodNotAllowedError extends DaneError {
  override readonly status = 405;
}
