import { validateInlineTaskDef, validateTaskDef } from './task-def.validator';

describe('validateTaskDef', () => {
  it.each([
    ['a name', { retryCount: 1 }, 'name', 'TaskDef name cannot be null or empty'],
    ['retryCount >= 0', { name: 't', retryCount: -1 }, 'retryCount', 'TaskDef retryCount: -1 must be >= 0'],
    ['timeoutSeconds >= 0', { name: 't', timeoutSeconds: -1 }, 'timeoutSeconds', 'TaskDef timeoutSeconds: -1 must be >= 0'],
    ['responseTimeoutSeconds >= 1', { name: 't', responseTimeoutSeconds: 0 }, 'responseTimeoutSeconds', 'TaskDef responseTimeoutSeconds: 0 must be >= 1'],
    ['responseTimeoutSeconds <= timeoutSeconds', { name: 't', timeoutSeconds: 10, responseTimeoutSeconds: 20 }, 'responseTimeoutSeconds', 'TaskDef: t responseTimeoutSeconds: 20 must be less than timeoutSeconds: 10'],
    ['timeoutSeconds <= totalTimeoutSeconds', { name: 't', timeoutSeconds: 100, responseTimeoutSeconds: 10, totalTimeoutSeconds: 50 }, 'totalTimeoutSeconds', 'TaskDef: t timeoutSeconds: 100 must be less than or equal to totalTimeoutSeconds: 50'],
    ['backoffScaleFactor >= 1', { name: 't', backoffScaleFactor: 0 }, 'backoffScaleFactor', 'backoffScaleFactor must not be less than 1'],
    ['a valid ownerEmail', { name: 't', ownerEmail: 'ops@' }, 'ownerEmail', 'ownerEmail should be valid email address'],
    ['a known retryLogic', { name: 't', retryLogic: 'RANDOM' }, 'retryLogic', 'retryLogic must be one of'],
    ['a known deliveryMode', { name: 't', deliveryMode: 'PUSH' }, 'deliveryMode', 'deliveryMode must be one of POLL, KAFKA'],
    ['a topic-safe name for deliveryMode KAFKA', { name: 'send mail', deliveryMode: 'KAFKA' }, 'name', 'TaskDef: send mail cannot have deliveryMode KAFKA'],
    ['a name of at most 200 characters for deliveryMode KAFKA', { name: 'x'.repeat(201), deliveryMode: 'KAFKA' }, 'name', 'cannot have deliveryMode KAFKA'],
  ])('needs %s', (_rule, def, path, message) => {
    expect(validateTaskDef(def)).toEqual([expect.objectContaining({ path, message: expect.stringContaining(message) })]);
  });

  it('prefixes paths, as the bulk registration does', () => {
    expect(validateTaskDef({ name: 'bad', retryCount: -1 }, '[1]')).toEqual([expect.objectContaining({ path: '[1].retryCount' })]);
  });

  it('checks the timeout relations only on fields that are themselves valid', () => {
    expect(validateTaskDef({ name: 't', timeoutSeconds: 'ten', responseTimeoutSeconds: 20 })).toEqual([
      expect.objectContaining({ path: 'timeoutSeconds', message: 'timeoutSeconds must be an integer number' }),
    ]);
  });

  it.each([
    [{ name: 't' }],
    [{ name: 't', timeoutSeconds: 0, responseTimeoutSeconds: 7200 }],
    [{ name: 't', timeoutSeconds: 60, responseTimeoutSeconds: 60, totalTimeoutSeconds: 60 }],
    [{ name: 't', ownerEmail: 'ops@localhost' }],
    [{ name: 't', ownerEmail: '' }],
    [{ name: 'mail.send_v2-eu', deliveryMode: 'KAFKA' }],
    [{ name: 'send mail', deliveryMode: 'POLL' }],
  ])('accepts %j', (def) => {
    expect(validateTaskDef(def)).toEqual([]);
  });
});

describe('validateInlineTaskDef', () => {
  // Conductor's TaskTimeoutConstraint (responseTimeoutSeconds <= timeoutSeconds) guards registered task
  // definitions only; a workflow task's inline taskDefinition is not held to it.
  it.each([
    [{ name: 't', timeoutSeconds: 10, responseTimeoutSeconds: 20 }],
    [{ name: 't', timeoutSeconds: 1, responseTimeoutSeconds: 3600, totalTimeoutSeconds: 1 }],
  ])('accepts %j, which validateTaskDef refuses', (def) => {
    expect(validateInlineTaskDef(def, 'tasks[0].taskDefinition')).toEqual([]);
    expect(validateTaskDef(def)).toEqual([expect.objectContaining({ path: 'responseTimeoutSeconds' })]);
  });

  it.each([
    ['a name', { retryCount: 1 }, 'name', 'TaskDef name cannot be null or empty'],
    ['retryCount >= 0', { name: 't', retryCount: -1 }, 'retryCount', 'TaskDef retryCount: -1 must be >= 0'],
    ['responseTimeoutSeconds >= 1', { name: 't', responseTimeoutSeconds: 0 }, 'responseTimeoutSeconds', 'TaskDef responseTimeoutSeconds: 0 must be >= 1'],
    ['timeoutSeconds <= totalTimeoutSeconds', { name: 't', timeoutSeconds: 100, responseTimeoutSeconds: 200, totalTimeoutSeconds: 50 }, 'totalTimeoutSeconds', 'timeoutSeconds: 100 must be less than or equal to totalTimeoutSeconds: 50'],
    ['a valid ownerEmail', { name: 't', ownerEmail: 'ops@' }, 'ownerEmail', 'ownerEmail should be valid email address'],
    ['a known retryLogic', { name: 't', retryLogic: 'RANDOM' }, 'retryLogic', 'retryLogic must be one of'],
    ['a topic-safe name for deliveryMode KAFKA', { name: 'a/b', deliveryMode: 'KAFKA' }, 'name', 'TaskDef: a/b cannot have deliveryMode KAFKA'],
  ])('still needs %s', (_rule, def, path, message) => {
    expect(validateInlineTaskDef(def, 'tasks[0].taskDefinition')).toEqual([
      expect.objectContaining({ path: `tasks[0].taskDefinition.${path}`, message: expect.stringContaining(message) }),
    ]);
  });
});
