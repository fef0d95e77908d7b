import { ApiPropertyOptional } from '@nestjs/swagger';
import { Allow } from 'class-validator';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '@dane/core';

/**
 * `?page=&size=` of every list (architecture principle 6). Checked by dane-core's `pageRequest`,
 * whose 400 names the parameter; declared here for the OpenAPI schema.
 */
export class PageQueryDto {
  @ApiPropertyOptional({ description: 'Page number, 1-based', minimum: 1, default: 1 })
  @Allow()
  page?: string;

  @ApiPropertyOptional({ description: `Page size, at most ${MAX_PAGE_SIZE}`, minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @Allow()
  size?: string;
}

/** Lists that the original answered as a bare JSON list stay lists; the total travels in headers. */
export const TOTAL_COUNT_HEADERS = {
  'X-Total-Count': { description: 'Number of items over all pages', schema: { type: 'integer' } },
  'X-Page': { description: 'The page answered (1-based)', schema: { type: 'integer' } },
  'X-Page-Size': { description: 'The page size used', schema: { type: 'integer' } },
};
