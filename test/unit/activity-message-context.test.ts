import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { withActivityBoundary } from '../../activities/activity-boundary.ts';
import { currentMessageContext } from '../../src/platform/messages/message-context.ts';

const activities = withActivityBoundary({ seeContext: async () => currentMessageContext() });

describe('activity message context', () => {
  it("runs an activity in its saga's correlation, caused by the step", async () => {
    const env = new MockActivityEnvironment({
      activityId: '4',
      activityType: 'startPayment',
      workflowExecution: { workflowId: 'paying-for-won-item-a1', runId: 'run-9' },
    });
    expect(await env.run(activities.seeContext)).toEqual({
      correlationId: 'paying-for-won-item-a1',
      causationId: 'paying-for-won-item-a1/run-9/startPayment#4',
    });
  });

  it('runs without context when called outside an activity', async () => {
    expect(await activities.seeContext()).toBeUndefined();
  });
});
