// What a composition root needs from the gateway app.
export { GatewayModule } from './gateway.module';
export { setupOpenApi, OPENAPI_JSON_PATH, SWAGGER_UI_PATH } from './openapi/openapi.setup';
export { TEXT_BODY_ROUTES } from './http/text-body-routes';
