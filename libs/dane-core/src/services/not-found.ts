import { NotFoundError } from '@dane/protocol';

/** The 404 texts of the API, one wording for every route. */
export function documentNotFound(id: string): NotFoundError {
  return new NotFoundError(`No document with id \`${id}\` found`);
}

export function taskNotFound(id: string): NotFoundError {
  return new NotFoundError(`No task with id \`${id}\` found`);
}

export function resultNotFound(id: string): NotFoundError {
  return new NotFoundError(`No result with id \`${id}\` found`);
}
