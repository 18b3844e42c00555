import { v5 as uuidv5 } from 'uuid';

// Fixed namespace for ids derived from event messages (a random v4 chosen once; never change it).
const EVENT_ID_NAMESPACE = '2d0c54d9-3f0e-4b8e-9f5d-6a1f0e9c7b21';

/**
 * The id of the workflow an event handler's `start_workflow` action starts for a message: one per
 * (message, handler, action position), so a redelivered message starts it once — and whoever knows the
 * message (an EVENT task's id is its message id) can find the workflow it started.
 */
export const eventStartIdFor = (messageId: string, handlerName: string, actionIndex: number): string =>
  uuidv5(`event:${messageId}:${handlerName}:${actionIndex}`, EVENT_ID_NAMESPACE);
