/**
 * Routes whose body Conductor binds to a String: taken as text whatever the content type (a task log line,
 * which clients send as `application/json` without quoting it).
 */
export const TEXT_BODY_ROUTES: readonly RegExp[] = [
  /^\/api\/tasks\/[^/]+\/log$/,
  // Dapr passes a workflow's input and an event's data through as raw bytes (JSON or not).
  /^\/v1\.0(-beta1|-alpha1)?\/workflows\/[^/]+\/[^/]+\/start$/,
  /^\/v1\.0(-beta1|-alpha1)?\/workflows\/[^/]+\/[^/]+\/raiseEvent\/[^/]+$/,
];
