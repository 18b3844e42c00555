/** Baton's version: what `GET /api/version` answers and the OpenAPI document carries. Kept in step with package.json. */
export const BATON_VERSION = '0.1.0';
