import type { INestApplication } from '@nestjs/common';
import { BATON_VERSION } from '@app/contracts';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { MODEL_REFINEMENTS, RESPONSE_SCHEMAS } from './openapi.schemas';

/** Conductor serves its OpenAPI document at `/api-docs`; Baton does too, plus Swagger UI. */
export const OPENAPI_JSON_PATH = 'api-docs';
export const SWAGGER_UI_PATH = 'swagger-ui';

/**
 * Builds the OpenAPI document from the controllers' decorators, with request schemas derived from the
 * class-validator models in `libs/contracts` (one source of truth for validation and documentation).
 */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Baton')
    .setDescription("Baton's Conductor-compatible REST API")
    .setVersion(BATON_VERSION)
    .build();
  const document = SwaggerModule.createDocument(app, config);
  const modelSchemas = validationMetadatasToSchemas({
    refPointerPrefix: '#/components/schemas/',
    classTransformerMetadataStorage: defaultMetadataStorage,
  }) as Record<string, SchemaObject>;
  // class-validator also knows the config classes (`*Env`); only the API models belong in the document.
  const apiModels = Object.fromEntries(Object.entries(modelSchemas).filter(([name]) => !name.endsWith('Env')));
  for (const [model, properties] of Object.entries(MODEL_REFINEMENTS)) {
    const schema = apiModels[model];
    if (schema) apiModels[model] = { ...schema, properties: { ...schema.properties, ...properties } };
  }
  document.components = { ...document.components, schemas: { ...document.components?.schemas, ...apiModels, ...RESPONSE_SCHEMAS } };
  return document;
}

export function setupOpenApi(app: INestApplication): void {
  SwaggerModule.setup(SWAGGER_UI_PATH, app, buildOpenApiDocument(app), { jsonDocumentUrl: OPENAPI_JSON_PATH, customSiteTitle: 'Baton API' });
}
