/**
 * orgsim's event rows (table `events`, written by recordEvent) as CloudTrail shows them: the
 * LookupEvents `Event` summary and, inside it, the CloudTrail record (`CloudTrailEvent`, a JSON
 * string in CloudTrail's log-file format, eventVersion 1.08).
 */
import type { Event, Resource } from "@aws-sdk/client-cloudtrail";
import type { EventTable } from "../../store/schema.js";
import { arns, roleId } from "../../org/ids.js";

/** Events an AWS service emits on its own (not a principal's API call): `eventType` AwsServiceEvent, with serviceEventDetails. */
export const SERVICE_EVENTS: ReadonlySet<string> = new Set(["AccountDepartedOrganization", "CreateAccountResult"]);

/**
 * The region whose event history holds a global service's events: AWS Organizations logs its
 * events in us-east-1 (in the China and GovCloud partitions, in that partition's home region).
 */
export function globalEventsRegion(partition: string): string {
  if (partition === "aws-cn") return "cn-northwest-1";
  if (partition === "aws-us-gov") return "us-gov-west-1";
  return "us-east-1";
}

// ---------------------------------------------------------------------------------------------
// EventId: CloudTrail's event ids are UUIDs. orgsim's row ids are time-ordered
// (`<15-digit ms>-<6-digit sequence>-<8 hex>`), so they are shown as a UUID that maps back to
// the row: 12 hex of milliseconds, 5 of the sequence, the 8 random hex, version 4 and variant 8
// nibbles, the rest zeros.
// ---------------------------------------------------------------------------------------------

const ROW_ID = /^(\d{15})-(\d{6})-([0-9a-f]{8})$/;
const EVENT_ID = /^([0-9a-f]{8})-([0-9a-f]{4})-4([0-9a-f]{3})-8([0-9a-f]{2})0-([0-9a-f]{8})0000$/;

export function eventIdOf(rowId: string): string {
  const m = ROW_ID.exec(rowId);
  if (!m) return rowId;
  const ms = Number(m[1]).toString(16).padStart(12, "0");
  const seq = Number(m[2]).toString(16).padStart(5, "0");
  if (ms.length > 12) return rowId;
  return `${ms.slice(0, 8)}-${ms.slice(8)}-4${seq.slice(0, 3)}-8${seq.slice(3)}0-${m[3]}0000`;
}

/** The row id an EventId names (a value that isn't one of orgsim's UUIDs is compared as it is). */
export function rowIdOf(eventId: string): string {
  const m = EVENT_ID.exec(eventId.toLowerCase());
  if (!m) return eventId;
  const ms = parseInt(`${m[1]}${m[2]}`, 16);
  const seq = parseInt(`${m[3]}${m[4]}`, 16);
  return `${String(ms).padStart(15, "0")}-${String(seq).padStart(6, "0")}-${m[5]}`;
}

// ---------------------------------------------------------------------------------------------
// Who made the call
// ---------------------------------------------------------------------------------------------

interface Caller {
  type: "Root" | "AssumedRole" | "IAMUser" | "Unknown";
  accountId: string;
  arn: string;
  /** The user name CloudTrail shows: "root", a role session's name, an IAM user's name. */
  userName?: string;
  roleName?: string;
}

function callerOf(row: EventTable): Caller | undefined {
  const arn = row.principal_arn;
  if (!arn) return undefined;
  const parts = arn.split(":");
  const accountId = row.account_id ?? parts[4] ?? "";
  const resource = parts.slice(5).join(":");
  if (resource === "root") return { type: "Root", accountId, arn, userName: "root" };
  const role = /^assumed-role\/([^/]+)\/(.+)$/.exec(resource);
  if (role) return { type: "AssumedRole", accountId, arn, roleName: role[1]!, userName: role[2]! };
  const user = /^user\/(?:.*\/)?([^/]+)$/.exec(resource);
  if (user) return { type: "IAMUser", accountId, arn, userName: user[1]! };
  return { type: "Unknown", accountId, arn };
}

function partitionOfArn(arn: string): string {
  return arn.split(":")[1] || "aws";
}

function userIdentity(caller: Caller | undefined, accessKeyId: string | undefined): Record<string, unknown> | undefined {
  if (!caller) return undefined;
  const base = { type: caller.type, principalId: caller.accountId, arn: caller.arn, accountId: caller.accountId, accessKeyId };
  if (caller.type === "AssumedRole" && caller.roleName) {
    const id = roleId(caller.accountId, caller.roleName);
    return {
      ...base,
      principalId: `${id}:${caller.userName}`,
      sessionContext: {
        sessionIssuer: {
          type: "Role",
          principalId: id,
          arn: arns.role(partitionOfArn(caller.arn), caller.accountId, caller.roleName),
          accountId: caller.accountId,
          userName: caller.roleName,
        },
      },
    };
  }
  if (caller.type === "IAMUser") return { ...base, userName: caller.userName };
  return base;
}

// ---------------------------------------------------------------------------------------------
// What the event acted on
// ---------------------------------------------------------------------------------------------

/** The CloudTrail resource type of an Organizations id, by its format. */
function resourceTypeOf(id: string): string | undefined {
  if (/^\d{12}$/.test(id)) return "AWS::Organizations::Account";
  if (/^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/.test(id)) return "AWS::Organizations::OrganizationalUnit";
  if (/^r-[0-9a-z]{4,32}$/.test(id)) return "AWS::Organizations::Root";
  if (/^p-[0-9a-zA-Z_]{8,128}$/.test(id)) return "AWS::Organizations::Policy";
  if (/^h-[0-9a-z]{8,32}$/.test(id)) return "AWS::Organizations::Handshake";
  if (/^o-[a-z0-9]{10,32}$/.test(id)) return "AWS::Organizations::Organization";
  return undefined;
}

/** Members of an event's detail that name the resource it acted on, in the order they are listed. */
const RESOURCE_MEMBERS = [
  "organizationId",
  "accountId",
  "target",
  "targetId",
  "organizationalUnitId",
  "policyId",
  "handshakeId",
  "destinationParentId",
];

const ORGANIZATION_EVENTS: ReadonlySet<string> = new Set(["CreateOrganization", "DeleteOrganization", "EnableAllFeatures"]);

function resourcesOf(row: EventTable, detail: Record<string, unknown>): Resource[] {
  const names: string[] = [];
  if (ORGANIZATION_EVENTS.has(row.event_name) && row.org_id) names.push(row.org_id);
  for (const key of RESOURCE_MEMBERS) {
    const value = detail[key];
    if (typeof value === "string") names.push(value);
  }
  const out: Resource[] = [];
  for (const name of new Set(names)) {
    const type = resourceTypeOf(name);
    if (type) out.push({ ResourceType: type, ResourceName: name });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The record
// ---------------------------------------------------------------------------------------------

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function parseDetail(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : {};
  } catch {
    return {};
  }
}

const withoutUndefined = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));

/** CloudTrail's `eventTime`: ISO-8601 UTC to the second. */
const cloudTrailTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

function serviceEventDetails(row: EventTable, detail: Record<string, unknown>): Record<string, unknown> {
  if (isObject(detail.serviceEventDetails)) return detail.serviceEventDetails;
  if (row.event_name === "AccountDepartedOrganization") {
    return withoutUndefined({ accountId: detail.accountId, departureMethod: detail.departureMethod, departureTime: detail.departureTime });
  }
  if (row.event_name === "CreateAccountResult") {
    return {
      createAccountStatus: withoutUndefined({
        id: detail.createAccountRequestId,
        state: detail.state,
        accountName: detail.accountName,
        accountId: detail.accountId,
        failureReason: detail.failureReason,
      }),
    };
  }
  const { requestId: _requestId, ...rest } = detail;
  return rest;
}

/** The API call's parameters and answer: as recorded when the recorder split them, otherwise the whole detail as parameters. */
function requestAndResponse(detail: Record<string, unknown>): { requestParameters: unknown; responseElements: unknown } {
  if (isObject(detail.requestParameters) || isObject(detail.responseElements)) {
    return { requestParameters: detail.requestParameters ?? null, responseElements: detail.responseElements ?? null };
  }
  const { requestId: _requestId, sourceIPAddress: _ip, userAgent: _ua, accessKeyId: _key, ...rest } = detail;
  return { requestParameters: Object.keys(rest).length > 0 ? rest : null, responseElements: null };
}

export interface LookupView {
  /** The account whose event history is read (CloudTrail's recipientAccountId). */
  recipientAccountId: string;
  region: string;
}

/** One event row as LookupEvents returns it. */
export interface CloudTrailEventView {
  event: Event;
  username: string | undefined;
  accessKeyId: string | undefined;
  resources: Resource[];
}

export function toCloudTrailEvent(row: EventTable, view: LookupView): CloudTrailEventView {
  const detail = parseDetail(row.detail);
  const caller = callerOf(row);
  const accessKeyId = typeof detail.accessKeyId === "string" ? detail.accessKeyId : undefined;
  const serviceEvent = SERVICE_EVENTS.has(row.event_name);
  const eventId = eventIdOf(row.id);
  const resources = resourcesOf(row, detail);
  const sourceIp = typeof detail.sourceIPAddress === "string" ? detail.sourceIPAddress : serviceEvent ? "AWS Internal" : "127.0.0.1";
  const record: Record<string, unknown> = {
    eventVersion: "1.08",
    userIdentity: userIdentity(caller, accessKeyId) ?? { accountId: view.recipientAccountId, invokedBy: "AWS Internal" },
    eventTime: cloudTrailTime(row.at),
    eventSource: row.event_source,
    eventName: row.event_name,
    awsRegion: view.region,
    sourceIPAddress: sourceIp,
    userAgent: typeof detail.userAgent === "string" ? detail.userAgent : serviceEvent ? "AWS Internal" : undefined,
    ...(serviceEvent ? { requestParameters: null, responseElements: null } : requestAndResponse(detail)),
    requestID: serviceEvent ? undefined : detail.requestId,
    eventID: eventId,
    readOnly: false,
    eventType: serviceEvent ? "AwsServiceEvent" : "AwsApiCall",
    managementEvent: true,
    recipientAccountId: view.recipientAccountId,
    serviceEventDetails: serviceEvent ? serviceEventDetails(row, detail) : undefined,
    eventCategory: "Management",
  };
  const username = caller?.userName;
  return {
    event: {
      EventId: eventId,
      EventName: row.event_name,
      ReadOnly: "false",
      AccessKeyId: accessKeyId,
      // CloudTrail keeps event times to the second, in the summary as in the record.
      EventTime: new Date(Math.floor(row.at / 1000) * 1000),
      EventSource: row.event_source,
      Username: username,
      Resources: resources,
      CloudTrailEvent: JSON.stringify(record),
    },
    username,
    accessKeyId,
    resources,
  };
}
