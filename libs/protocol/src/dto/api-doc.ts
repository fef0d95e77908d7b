/**
 * The OpenAPI property decorators of `@nestjs/swagger` when that package is installed (the API
 * server documents its routes from these DTOs), and decorators that do nothing otherwise: a worker
 * or a client that validates with the same DTOs does not need Nest's OpenAPI module.
 * `@nestjs/swagger` is an optional peer dependency of this package for that reason.
 */
type ApiPropertyOptions = Record<string, unknown>;

interface OpenApiDecorators {
  ApiProperty(options?: ApiPropertyOptions): PropertyDecorator;
  ApiPropertyOptional(options?: ApiPropertyOptions): PropertyDecorator;
  ApiHideProperty(): PropertyDecorator;
}

const none: PropertyDecorator = () => undefined;

function openApiDecorators(): OpenApiDecorators {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('@nestjs/swagger') as OpenApiDecorators;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
    return { ApiProperty: () => none, ApiPropertyOptional: () => none, ApiHideProperty: () => none };
  }
}

export const { ApiProperty, ApiPropertyOptional, ApiHideProperty } = openApiDecorators();
