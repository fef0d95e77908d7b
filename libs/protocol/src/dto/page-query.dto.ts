import { ApiPropertyOptional } from './api-doc';
import { Transform } from 'class-transformer';
import { registerDecorator } from 'class-validator';
import { ValidationError } from '../errors';
import { decodeCursor } from '../paging/cursor';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageRequest } from '../paging/page';
import { IsPageNumber } from './validators';

/** The largest page number accepted. */
export const MAX_PAGE_NUMBER = 1_000_000_000;

/** `"12"` → 12; anything else is left for the validator to name. */
const toInteger = ({ value }: { value: unknown }) => (value === '' ? undefined : typeof value === 'string' && /^\d+$/.test(value) ? parseInt(value, 10) : value);

/** `?page=&size=` of every list (architecture principle 6): 1-based page, size at most 1000. */
export class PageQueryDto {
  @ApiPropertyOptional({ description: 'Page number, 1-based', minimum: 1, default: 1, type: 'integer' })
  @Transform(toInteger)
  @IsPageNumber(MAX_PAGE_NUMBER)
  page?: number;

  @ApiPropertyOptional({ description: `Page size, at most ${MAX_PAGE_SIZE}`, minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE, type: 'integer' })
  @Transform(toInteger)
  @IsPageNumber(MAX_PAGE_SIZE)
  size?: number;
}

/** A cursor as the server gave it out (paging/cursor.ts); the store checks it belongs to its list. */
function IsCursor(): PropertyDecorator {
  const problem = (value: unknown): string | null => {
    if (value === undefined) return null;
    try {
      decodeCursor(value);
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  };
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isCursor',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: { validate: (value: unknown) => problem(value) === null, defaultMessage: (args) => problem(args?.value) ?? '' },
    });
}

/**
 * `?page=&size=` or `?cursor=&size=` of the lists that can page by keyset (docs/protocol.md,
 * Conventions): the cursor is the opaque one of the `Link: <…>; rel="next"` header of the page before.
 */
export class KeysetPageQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description:
      'Opaque position after the last item of the page before, from that answer\'s `Link: <…>; rel="next"` header. ' +
      'Cheap at any depth (keyset paging), unlike `page`; not combined with `page`.',
    type: 'string',
  })
  @Transform(({ value }) => (value === '' ? undefined : value))
  @IsCursor()
  cursor?: string;
}

/** The page asked for by a validated query, with the defaults filled in. `page` and `cursor` exclude each other. */
export function pageOf(query: PageQueryDto | KeysetPageQueryDto | undefined, defaultSize = DEFAULT_PAGE_SIZE): PageRequest {
  const cursor = (query as KeysetPageQueryDto | undefined)?.cursor;
  const request: PageRequest = { page: query?.page ?? 1, size: query?.size ?? defaultSize };
  if (cursor === undefined) return request;
  if (query?.page !== undefined) throw new ValidationError('cursor and page exclude each other: follow the Link header (rel="next"), which carries only cursor and size');
  return { ...request, cursor };
}
