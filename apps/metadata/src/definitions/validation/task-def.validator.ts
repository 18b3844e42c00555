import { KAFKA_DELIVERABLE_NAME, TaskDef, TaskDeliveryMode, ValidationErrorItem } from '@app/contracts';
import { checkModel } from './model-constraints';
import { isJson, prop } from './json-path.util';

/** Hibernate's @Email, loosely: one `@`, no whitespace, a domain (a dot is not required: `ops@localhost`). */
const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)*$/;

export function ownerEmailErrors(value: unknown, path: string): ValidationErrorItem[] {
  // An empty string is not an address but not a wrong one either (Hibernate's @Email accepts it).
  return typeof value === 'string' && value !== '' && !EMAIL.test(value)
    ? [{ path: prop(path, 'ownerEmail'), message: 'ownerEmail should be valid email address', invalidValue: value }]
    : [];
}

/**
 * A registered task definition (POST/PUT /api/metadata/taskdefs), reported as Conductor does: the model's
 * constraints, then the cross-field ones (TaskTimeoutConstraint) on whichever fields are themselves valid.
 */
export function validateTaskDef(value: unknown, path = ''): ValidationErrorItem[] {
  return taskDefErrors(value, path, true);
}

/**
 * A workflow task's inline `taskDefinition`. Conductor applies TaskTimeoutConstraint only to registered
 * task definitions, so workflows it registers may carry an inline definition whose responseTimeoutSeconds
 * exceeds its timeoutSeconds; Baton accepts them too. The other checks stay, as Baton's own stricter
 * rules (README, "Deliberate differences from Conductor").
 */
export function validateInlineTaskDef(value: unknown, path: string): ValidationErrorItem[] {
  return taskDefErrors(value, path, false);
}

function taskDefErrors(value: unknown, path: string, registered: boolean): ValidationErrorItem[] {
  const errors = checkModel(TaskDef, value, path);
  if (!isJson(value)) return errors;
  const broken = new Set(errors.map((e) => e.path));
  const seconds = (field: keyof TaskDef): number | undefined => {
    const v = value[field];
    return typeof v === 'number' && Number.isInteger(v) && !broken.has(prop(path, field)) ? v : undefined;
  };
  const name = String(value.name);
  const timeout = seconds('timeoutSeconds');
  const response = seconds('responseTimeoutSeconds');
  const total = seconds('totalTimeoutSeconds');

  if (!broken.has(prop(path, 'ownerEmail'))) errors.push(...ownerEmailErrors(value.ownerEmail, path));
  // A KAFKA-delivered definition's name becomes part of a topic name (workerTopicOf).
  if (value.deliveryMode === TaskDeliveryMode.Kafka && typeof value.name === 'string' && !broken.has(prop(path, 'name')) && !KAFKA_DELIVERABLE_NAME.test(value.name)) {
    errors.push({
      path: prop(path, 'name'),
      message: `TaskDef: ${name} cannot have deliveryMode KAFKA: its name becomes part of a Kafka topic name, so it may only contain letters, digits, ".", "_" and "-" (at most 200)`,
      invalidValue: value.name,
    });
  }
  if (registered && timeout && response && response > timeout) {
    errors.push({
      path: prop(path, 'responseTimeoutSeconds'),
      message: `TaskDef: ${name} responseTimeoutSeconds: ${response} must be less than timeoutSeconds: ${timeout}`,
      invalidValue: response,
    });
  }
  if (timeout && total && timeout > total) {
    errors.push({
      path: prop(path, 'totalTimeoutSeconds'),
      message: `TaskDef: ${name} timeoutSeconds: ${timeout} must be less than or equal to totalTimeoutSeconds: ${total}`,
      invalidValue: total,
    });
  }
  return errors;
}
