import { INestApplication } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ConfigError, DaneConfig } from '@dane/core';
import { ApiModule } from './api.module';
import { AuthModule } from './auth/auth.module';
import { Authenticator } from './auth/authenticator.service';
import { DaneExceptionFilter } from './filters/dane-exception.filter';
import { DaneValidationPipe } from './http/validation.pipe';
import { jsonBodyMiddleware } from './middleware/json-body.middleware';
import { pathNormaliserMiddleware } from './middleware/path-normaliser.middleware';
import { requestLogMiddleware } from './middleware/request-log.middleware';
import { writeAuthMiddleware } from './middleware/write-auth.middleware';

export const SWAGGER_UI_PATH = 'DANE/docs';
export const SWAGGER_JSON_PATH = 'DANE/swagger.json';
const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface ApiAppOptions {
  /** One structured log line per request (default true). */
  logRequests?: boolean;
}

/**
 * The http behaviour of the API around the routes: slash normalisation (docs/protocol.md, Conventions), the
 * body read as JSON whatever its Content-Type with the DANE.MAX_BODY_BYTES limit (same section), writes
 * without an API key refused before their body is read, request DTOs validated (DaneValidationPipe),
 * `{"message"}` errors, and OpenAPI (`/DANE/swagger.json`, UI at `/DANE/docs`). Must run before
 * `app.init()`/`listen()` so that its middleware sits in front of the routes.
 */
export function configureApiApp(app: INestApplication, config: ConfigService | DaneConfig = app.get(ConfigService), options: ApiAppOptions = {}): INestApplication {
  const limit = maxBodyBytes(config);
  app.use(pathNormaliserMiddleware);
  if (options.logRequests !== false) app.use(requestLogMiddleware);
  // Writes without a usable key are refused before their body is read.
  app.use(writeAuthMiddleware(app.get(Authenticator)));
  app.use(jsonBodyMiddleware(limit));
  app.useGlobalFilters(new DaneExceptionFilter());
  app.useGlobalPipes(new DaneValidationPipe());

  const openApi = new DocumentBuilder()
    .setTitle('DANE API')
    .setDescription(
      'Distributed Annotation \'n\' Enrichment: documents, tasks and results. Errors are `{"message": "..."}`. ' +
        'Lists that the original answered as bare JSON lists stay lists; their total is in the X-Total-Count header ' +
        '(with X-Total-Count-Estimated, X-Page and X-Page-Size); every list takes ?page= (1-based) and ?size= (at most 1000, default 100). ' +
        'The task, document and result lists also take ?cursor=, the opaque position of their `Link: <…>; rel="next"` header: ' +
        'cheap at any depth. Totals above 10,000 items may be estimates (X-Total-Count-Estimated: true). docs/protocol.md, Conventions.',
    )
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key `dane_<id>_<secret>` (see docs/operations.md, Security)' })
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, openApi, { include: [ApiModule, AuthModule] });
  SwaggerModule.setup(SWAGGER_UI_PATH, app, document, { jsonDocumentUrl: SWAGGER_JSON_PATH, yamlDocumentUrl: 'DANE/swagger.yaml' });
  // The original served its Swagger UI at /DANE/ (docs/protocol.md, Health, readiness and operations routes).
  app.getHttpAdapter().get('/DANE', (_req: unknown, res: { redirect(status: number, url: string): void }) => res.redirect(302, `/${SWAGGER_UI_PATH}`));
  return app;
}

/** DANE.MAX_BODY_BYTES from the ConfigService or from a loaded config object. */
function maxBodyBytes(config: ConfigService | DaneConfig): number {
  const raw = config instanceof ConfigService ? config.get<unknown>('DANE.MAX_BODY_BYTES') : config.DANE?.MAX_BODY_BYTES;
  if (raw === undefined || raw === null) return DEFAULT_MAX_BODY_BYTES;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit <= 0) throw new ConfigError(`DANE.MAX_BODY_BYTES must be a positive number of bytes (got ${JSON.stringify(raw)})`);
  return limit;
}
