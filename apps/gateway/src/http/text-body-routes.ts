/**
 * Routes whose body Conductor binds to a String: taken as text whatever the content type (a task log line,
 * which clients send as `application/json` without quoting it).
 */
export const TEXT_BODY_ROUTES: readonly RegExp[] = [/^\/api\/tasks\/[^/]+\/log$/];
