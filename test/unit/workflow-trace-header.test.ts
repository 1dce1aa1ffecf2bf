import { TRACE_HEADER as OPENTELEMETRY_TRACE_HEADER } from '@temporalio/interceptors-opentelemetry/lib/instrumentation';
import { describe, expect, it } from 'vitest';
import { TRACE_HEADER } from '../../workflows/interceptors.ts';

describe('the trace header the sagas forward', () => {
  it('is the one the OpenTelemetry client and activity interceptors write and read', () => {
    expect(TRACE_HEADER).toBe(OPENTELEMETRY_TRACE_HEADER);
  });
});
