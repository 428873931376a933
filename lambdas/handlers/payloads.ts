// The schemas of what the state machine passes to the tasks (docs/architecture.md).
import type { CheckStateEvent } from '../domain/migration/check-state';
import type { PollPayload, PrecheckEvent } from '../domain/migration/phases';
import type { TaskPayload } from '../domain/migration/step';
import { validatorFor } from '../validation';

const caughtError = {
  type: 'object',
  properties: { Error: { type: 'string' }, Cause: { type: 'string' } },
};

const taskPayload = {
  type: 'object',
  required: ['migrationId', 'executionId'],
  properties: {
    migrationId: { type: 'string', minLength: 1 },
    executionId: { type: 'string', minLength: 1 },
    stateName: { type: 'string' },
    retryCount: { type: 'integer', minimum: 0 },
    // JSON null before any Catch has filled $.error.
    error: { anyOf: [caughtError, { type: 'null' }] },
    step: { type: 'string' },
  },
};

export const parseTaskPayload = validatorFor<TaskPayload>(taskPayload, 'task payload');

export const parsePollPayload = validatorFor<PollPayload>(
  { ...taskPayload, properties: { ...taskPayload.properties, iteration: { type: 'integer', minimum: 0 } } },
  'poll payload',
);

export const parsePrecheckEvent = validatorFor<PrecheckEvent>(
  {
    type: 'object',
    required: ['input', 'executionId'],
    properties: { input: {}, executionId: { type: 'string', minLength: 1 } },
  },
  'Precheck payload',
);

/** CheckState validates the execution input itself, so that the error names the input's field. */
export const parseCheckStateEvent = validatorFor<CheckStateEvent>(
  {
    type: 'object',
    required: ['input', 'executionId'],
    properties: { input: {}, executionId: { type: 'string', minLength: 1 }, startTime: { type: 'string' } },
  },
  'CheckState payload',
);
