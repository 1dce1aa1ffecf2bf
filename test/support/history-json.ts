import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { History } from '@temporalio/common/lib/proto-utils';
import { historyFromJSON as sdkHistoryFromJSON, historyToJSON as sdkHistoryToJSON } from '@temporalio/common/lib/proto-utils';

/**
 * Workflow histories as proto-JSON files (the format of `temporal workflow show --output
 * json` and the SDK's historyToJSON), for replay tests.
 *
 * In this node_modules, @temporalio/common and @temporalio/proto each carry their own copy
 * of protobufjs, so the SDK's historyFromJSON/historyToJSON throw "type must be a Type"
 * (protojson's instanceof check meets the other copy's Type). Each function below tries
 * the SDK first and, on exactly that error, makes the same call (same type, same options,
 * the same enum fix-ups) with protojson from @temporalio/proto's own protobufjs copy.
 * Once the copies are deduplicated the SDK path simply succeeds.
 */

const requireHere = createRequire(import.meta.url);
const proto = requireHere('@temporalio/proto');
const { patchProtobufRoot } = requireHere('@temporalio/proto/lib/patch-protobuf-root') as {
  patchProtobufRoot(root: unknown): { lookupType(name: string): unknown };
};
const protojson = createRequire(requireHere.resolve('@temporalio/proto'))('protobufjs/ext/protojson') as {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options: unknown): unknown;
};
const historyType = patchProtobufRoot(proto).lookupType('temporal.api.history.v1.History');
const PARSE_OPTIONS = { ignoreUnknownFields: true };

const sdkBroken = (error: unknown) => error instanceof TypeError && error.message === 'type must be a Type';

/** Which way the last conversion went: the SDK's own, or the fallback above. */
export let lastHistoryJSONPath: 'sdk' | 'fallback' | undefined;

/** A History from its proto-JSON form (parsed JSON). */
export function historyFromJSON(json: unknown): History {
  try {
    const history = sdkHistoryFromJSON(json);
    lastHistoryJSONPath = 'sdk';
    return history;
  } catch (error) {
    if (!sdkBroken(error)) throw error;
  }
  const loaded = protojson.fromJson(historyType, withConstantCaseEnums(json), PARSE_OPTIONS);
  if (loaded === null) throw new TypeError('Invalid history');
  lastHistoryJSONPath = 'fallback';
  return loaded as History;
}

/** A History (as fetched from the server) in proto-JSON, pretty-printed. */
export function historyToJSON(history: History): string {
  try {
    const json = sdkHistoryToJSON(history);
    lastHistoryJSONPath = 'sdk';
    return json;
  } catch (error) {
    if (!sdkBroken(error)) throw error;
  }
  lastHistoryJSONPath = 'fallback';
  return JSON.stringify(protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)), null, 2);
}

/** Reads a history file written by historyToJSON or the Temporal CLI. */
export function readHistoryFile(path: string): History {
  return historyFromJSON(JSON.parse(readFileSync(path, 'utf8')));
}

/** The workflow id a history was recorded under (its start event's, if the server wrote it there). */
export function workflowIdOf(history: History): string | undefined {
  return history.events?.[0]?.workflowExecutionStartedEventAttributes?.workflowId ?? undefined;
}

type JsonObject = Record<string, any>;

/**
 * The SDK's historyFromJSON fix-ups: older tools wrote enums in PascalCase
 * (`WorkflowExecutionStarted`); protojson wants their full names (`EVENT_TYPE_…`). Names
 * already in full are left alone, so files written by historyToJSON pass through unchanged.
 */
function withConstantCaseEnums(history: unknown): JsonObject {
  if (typeof history !== 'object' || history === null || !Array.isArray((history as JsonObject).events)) {
    throw new TypeError('Invalid history, expected an object with an array of events');
  }
  const constantCase = (s: string) => s.replace(/[^\b][A-Z]/g, (m) => `${m[0]}_${m[1]}`).toUpperCase();
  const fix = (obj: JsonObject, attr: string, prefix: string) =>
    typeof obj[attr] === 'string' ? { [attr]: obj[attr].startsWith(prefix) ? obj[attr] : `${prefix}_${constantCase(obj[attr])}` } : {};
  const events = ((history as JsonObject).events as JsonObject[]).map((event) => {
    const type = Object.keys(event).find((key) => key.endsWith('EventAttributes'));
    if (!type) throw new TypeError(`Missing attributes in history event: ${JSON.stringify(event)}`);
    const attributes: JsonObject = event[type];
    return {
      ...event,
      ...fix(event, 'eventType', 'EVENT_TYPE'),
      [type]: {
        ...attributes,
        ...(attributes.taskQueue && { taskQueue: { ...attributes.taskQueue, ...fix(attributes.taskQueue, 'kind', 'TASK_QUEUE_KIND') } }),
        ...fix(attributes, 'parentClosePolicy', 'PARENT_CLOSE_POLICY'),
        ...fix(attributes, 'workflowIdReusePolicy', 'WORKFLOW_ID_REUSE_POLICY'),
        ...fix(attributes, 'initiator', 'CONTINUE_AS_NEW_INITIATOR'),
        ...fix(attributes, 'retryState', 'RETRY_STATE'),
        ...(attributes.childWorkflowExecutionFailureInfo && {
          childWorkflowExecutionFailureInfo: {
            ...attributes.childWorkflowExecutionFailureInfo,
            ...fix(attributes.childWorkflowExecutionFailureInfo, 'retryState', 'RETRY_STATE'),
          },
        }),
      },
    };
  });
  return { events };
}
