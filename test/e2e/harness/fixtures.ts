/** The linear workflow of the walking skeleton: task 1's output feeds task 2's input. */
export const greetingWorkflow = (name = 'greeting') => ({
  name,
  version: 1,
  tasks: [
    { name: 'e2e_greet', taskReferenceName: 'greet', inputParameters: { who: '${workflow.input.name}' } },
    { name: 'e2e_shout', taskReferenceName: 'shout', inputParameters: { text: '${greet.output.greeting}', times: '${workflow.input.times}' } },
  ],
  outputParameters: { loud: '${shout.output.loud}', from: '${greet.output.greeting}' },
});

export const greetingTaskDefs = [{ name: 'e2e_greet' }, { name: 'e2e_shout', retryCount: 1 }];

export const greet = (input: Record<string, unknown>) => ({ greeting: `hello ${String(input.who)}` });
export const shout = (input: Record<string, unknown>) => ({ loud: String(input.text).toUpperCase().repeat(Number(input.times ?? 1)) });
