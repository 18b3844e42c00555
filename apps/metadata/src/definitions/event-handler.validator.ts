import { EventActionType, EventHandler, validateModel, ValidationErrorItem } from '@app/contracts';

const EVALUATORS = ['javascript', 'graaljs', 'value-param'];

/** Validates an event handler: the model, and that each action carries the details its kind needs. */
export function validateEventHandler(value: unknown): ValidationErrorItem[] {
  const errors = validateModel(EventHandler, value);
  if (errors.length) return errors;
  const handler = value as EventHandler;
  if (handler.evaluatorType !== undefined && !EVALUATORS.includes(handler.evaluatorType)) {
    errors.push({ path: 'evaluatorType', message: `evaluatorType must be one of ${EVALUATORS.join(', ')}`, invalidValue: handler.evaluatorType });
  }
  handler.actions.forEach((action, i) => {
    const details: Record<EventActionType, unknown> = {
      start_workflow: action.start_workflow,
      complete_task: action.complete_task,
      fail_task: action.fail_task,
      terminate_workflow: action.terminate_workflow,
      update_workflow_variables: action.update_workflow_variables,
    };
    if (!details[action.action]) {
      errors.push({ path: `actions[${i}].${action.action}`, message: `action ${action.action} needs its ${action.action} details` });
    }
    const task = action.complete_task ?? action.fail_task;
    if (task && !task.taskRefName && !task.taskId) {
      errors.push({ path: `actions[${i}].${action.action}`, message: 'taskRefName or taskId is required to identify the task' });
    }
  });
  return errors;
}
