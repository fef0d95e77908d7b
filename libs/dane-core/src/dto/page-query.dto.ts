import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageRequest } from '../storage/page';
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

/** The page asked for by a validated query, with the defaults filled in. */
export function pageOf(query: PageQueryDto | undefined, defaultSize = DEFAULT_PAGE_SIZE): PageRequest {
  return { page: query?.page ?? 1, size: query?.size ?? defaultSize };
}
