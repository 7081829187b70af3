/**
 * Region opt-in. Regions launched before 20 March 2019 are ENABLED_BY_DEFAULT and can be neither
 * enabled nor disabled; later (opt-in) Regions start DISABLED. EnableRegion moves one to ENABLING
 * and, after REGION_ENABLE_DELAY_MS of virtual time, it reads ENABLED; DisableRegion likewise goes
 * DISABLING then DISABLED. The transition is stored with its start time and resolved lazily when
 * read, so advancing the clock is all it takes; with --complete-async-immediately a transition
 * takes no time (EnableRegion's Region reads ENABLED at once). A Region can't be disabled while
 * ENABLING, nor enabled while DISABLING (ConflictException, as AWS documents).
 */
import type {
  DisableRegionRequest,
  EnableRegionRequest,
  GetRegionOptStatusRequest,
  GetRegionOptStatusResponse,
  ListRegionsRequest,
  ListRegionsResponse,
  Region,
  RegionOptStatus,
} from "@aws-sdk/client-account";
import { op, type CallContext } from "../../context.js";
import { Pagination } from "../../paginate.js";
import { resolveTarget } from "./access.js";
import { DocKind, readDoc, readDocs, writeDoc } from "./account-docs.js";
import { accountErrors } from "./errors.js";

/** How long (virtual time) an opt-in Region takes to become ENABLED, and to become DISABLED. */
export const REGION_ENABLE_DELAY_MS = 60_000;
export const REGION_DISABLE_DELAY_MS = 60_000;

/** Commercial-partition Regions enabled for every account (launched before 20 March 2019). */
export const DEFAULT_REGIONS: readonly string[] = [
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-south-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "ca-central-1",
  "eu-central-1",
  "eu-north-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
];

/** Commercial-partition opt-in Regions (launched after 20 March 2019). */
export const OPT_IN_REGIONS: readonly string[] = [
  "af-south-1",
  "ap-east-1",
  "ap-east-2",
  "ap-south-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-6",
  "ap-southeast-7",
  "ca-west-1",
  "eu-central-2",
  "eu-south-1",
  "eu-south-2",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "mx-central-1",
];

const ALL_REGIONS: readonly string[] = [...DEFAULT_REGIONS, ...OPT_IN_REGIONS].sort();
const DEFAULT_SET = new Set(DEFAULT_REGIONS);
const OPT_IN_SET = new Set(OPT_IN_REGIONS);

const DEFAULT_PAGE_SIZE = 50;

/** What is stored for an opt-in Region that was ever enabled or disabled. */
interface RegionDoc {
  /** The requested transition, or where it settled. */
  status: "ENABLING" | "DISABLING";
  /** Virtual time the transition started, epoch ms. */
  since: number;
}

/** How long transitions take: none under --complete-async-immediately. */
interface Delays {
  enableMs: number;
  disableMs: number;
}

const delaysOf = (ctx: CallContext): Delays =>
  ctx.settings.completeAsyncImmediately
    ? { enableMs: 0, disableMs: 0 }
    : { enableMs: REGION_ENABLE_DELAY_MS, disableMs: REGION_DISABLE_DELAY_MS };

function resolveStatus(region: string, doc: RegionDoc | undefined, now: number, delays: Delays): RegionOptStatus {
  if (DEFAULT_SET.has(region)) return "ENABLED_BY_DEFAULT";
  if (!doc) return "DISABLED";
  if (doc.status === "ENABLING") return now >= doc.since + delays.enableMs ? "ENABLED" : "ENABLING";
  return now >= doc.since + delays.disableMs ? "DISABLED" : "DISABLING";
}

/** The opt-in status of `region` for an account, now (for other modules, e.g. checks of the caller's Region). */
export async function regionOptStatus(ctx: CallContext, accountId: string, region: string): Promise<RegionOptStatus> {
  const doc = OPT_IN_SET.has(region) ? await readDoc<RegionDoc>(ctx.tx, accountId, DocKind.region(region)) : undefined;
  return resolveStatus(region, doc, ctx.now, delaysOf(ctx));
}

const unknownRegion = (region: string) =>
  accountErrors.validation(`${region} is not a valid Region name.`, "invalidRegionOptTarget", {
    name: "regionName",
    message: "Region name is not valid.",
  });

function requireKnownRegion(region: string): void {
  if (!DEFAULT_SET.has(region) && !OPT_IN_SET.has(region)) throw unknownRegion(region);
}

function requireOptInRegion(region: string): void {
  requireKnownRegion(region);
  if (DEFAULT_SET.has(region)) {
    throw accountErrors.validation(`${region} is enabled by default and cannot be enabled or disabled.`, "invalidRegionOptTarget");
  }
}

export const GetRegionOptStatus = op(async (ctx, input: GetRegionOptStatusRequest): Promise<GetRegionOptStatusResponse> => {
  const target = await resolveTarget(ctx, input.AccountId);
  const region = input.RegionName!;
  requireKnownRegion(region);
  return { RegionName: region, RegionOptStatus: await regionOptStatus(ctx, target.id, region) };
});

export const EnableRegion = op(async (ctx, input: EnableRegionRequest): Promise<Record<string, never>> => {
  const target = await resolveTarget(ctx, input.AccountId);
  const region = input.RegionName!;
  requireOptInRegion(region);
  const status = await regionOptStatus(ctx, target.id, region);
  if (status === "DISABLING") {
    throw accountErrors.conflict(`Region ${region} is being disabled for account ${target.id}; it can be enabled once it is DISABLED.`);
  }
  // Enabling a Region that is ENABLING or ENABLED changes nothing (it never goes backwards).
  if (status === "DISABLED")
    await writeDoc(ctx.tx, target.id, DocKind.region(region), { status: "ENABLING", since: ctx.now } satisfies RegionDoc);
  return {};
});

export const DisableRegion = op(async (ctx, input: DisableRegionRequest): Promise<Record<string, never>> => {
  const target = await resolveTarget(ctx, input.AccountId);
  const region = input.RegionName!;
  requireOptInRegion(region);
  const status = await regionOptStatus(ctx, target.id, region);
  if (status === "ENABLING") {
    throw accountErrors.conflict(`Region ${region} is being enabled for account ${target.id}; it can be disabled once it is ENABLED.`);
  }
  if (status === "ENABLED")
    await writeDoc(ctx.tx, target.id, DocKind.region(region), { status: "DISABLING", since: ctx.now } satisfies RegionDoc);
  return {};
});

const invalidToken = () =>
  accountErrors.validation("The specified NextToken is not valid.", "fieldValidationFailed", {
    name: "nextToken",
    message: "Invalid pagination token.",
  });

const pages = new Pagination(invalidToken);

/** The Region after which a page starts; a token is signed and bound to the operation, account and caller. */
function pageStart(ctx: CallContext, accountId: string, token: string | undefined): string | undefined {
  if (token === undefined || token === "") return undefined;
  return pages.readToken(ctx, accountId, token);
}

export const ListRegions = op(async (ctx, input: ListRegionsRequest): Promise<ListRegionsResponse> => {
  const target = await resolveTarget(ctx, input.AccountId);
  const size = input.MaxResults ?? DEFAULT_PAGE_SIZE;
  const after = pageStart(ctx, target.id, input.NextToken);
  const wanted =
    input.RegionOptStatusContains && input.RegionOptStatusContains.length > 0 ? new Set(input.RegionOptStatusContains) : undefined;
  const docs = await readDocs<RegionDoc>(ctx.tx, target.id, DocKind.regionPrefix);
  const matching: Region[] = [];
  for (const name of ALL_REGIONS) {
    if (after !== undefined && name <= after) continue;
    const status = resolveStatus(name, docs.get(DocKind.region(name)), ctx.now, delaysOf(ctx));
    if (wanted && !wanted.has(status)) continue;
    matching.push({ RegionName: name, RegionOptStatus: status });
  }
  const page = matching.slice(0, size);
  return {
    Regions: page,
    NextToken: matching.length > size ? pages.makeToken(ctx, target.id, page[page.length - 1]!.RegionName!) : undefined,
  };
});
