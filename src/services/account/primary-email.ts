/**
 * The primary (root user) email address of a member account, changed in two steps as on AWS:
 * StartPrimaryEmailUpdate sends a one-time code to the new address (orgsim keeps it in
 * account_docs; the control API reads it with pendingPrimaryEmailCode), and
 * AcceptPrimaryEmailUpdate with that code makes the change. These operations work only on a
 * member account, from the management account or an account.amazonaws.com delegated
 * administrator of its organization (AccountId is required).
 */
import { randomInt } from "node:crypto";
import type {
  AcceptPrimaryEmailUpdateRequest,
  AcceptPrimaryEmailUpdateResponse,
  GetPrimaryEmailRequest,
  GetPrimaryEmailResponse,
  StartPrimaryEmailUpdateRequest,
  StartPrimaryEmailUpdateResponse,
} from "@aws-sdk/client-account";
import { op, type CallContext } from "../../context.js";
import type { Tx } from "../../store/store.js";
import { resolveTarget } from "./access.js";
import { DocKind, deleteDoc, readDoc, writeDoc } from "./account-docs.js";
import { accountErrors } from "./errors.js";

/** A pending update, as stored. */
export interface PendingPrimaryEmailUpdate {
  email: string;
  /** The one-time code AWS would email to the new address: 6 characters of [A-Za-z0-9]. */
  code: string;
  /** Virtual time the update was started, epoch ms. */
  startedAt: number;
}

const OTP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

function newOtp(): string {
  let out = "";
  for (let i = 0; i < 6; i++) out += OTP_ALPHABET[randomInt(OTP_ALPHABET.length)];
  return out;
}

/** The pending update of an account's primary email, if one was started and not yet accepted. */
export async function pendingPrimaryEmailUpdate(tx: Tx, accountId: string): Promise<PendingPrimaryEmailUpdate | undefined> {
  return readDoc<PendingPrimaryEmailUpdate>(tx, accountId, DocKind.primaryEmailUpdate);
}

/** The one-time code of the account's pending primary-email update (what AWS would send by email), if any. */
export async function pendingPrimaryEmailCode(tx: Tx, accountId: string): Promise<string | undefined> {
  return (await pendingPrimaryEmailUpdate(tx, accountId))?.code;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function requireEmail(email: string): void {
  if (!EMAIL.test(email)) {
    throw accountErrors.validation("The primary email address is not a valid email address.", "fieldValidationFailed", {
      name: "primaryEmail",
      message: "Invalid email address.",
    });
  }
}

/** Whether an account (the target included) already uses `email`, compared without case. */
async function emailInUse(ctx: CallContext, email: string): Promise<boolean> {
  const row = await ctx.tx
    .selectFrom("accounts")
    .select("id")
    .where((eb) => eb(eb.fn<string>("lower", ["email"]), "=", email.toLowerCase()))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

const emailConflict = (email: string) => accountErrors.conflict(`The email address ${email} is already in use by an AWS account.`);

export const StartPrimaryEmailUpdate = op(async (ctx, input: StartPrimaryEmailUpdateRequest): Promise<StartPrimaryEmailUpdateResponse> => {
  const target = await resolveTarget(ctx, input.AccountId, { memberOnly: true });
  const email = input.PrimaryEmail!;
  requireEmail(email);
  if (await emailInUse(ctx, email)) throw emailConflict(email);
  // A new request replaces any pending one (and its code).
  await writeDoc(ctx.tx, target.id, DocKind.primaryEmailUpdate, {
    email,
    code: newOtp(),
    startedAt: ctx.now,
  } satisfies PendingPrimaryEmailUpdate);
  return { Status: "PENDING" };
});

export const AcceptPrimaryEmailUpdate = op(
  async (ctx, input: AcceptPrimaryEmailUpdateRequest): Promise<AcceptPrimaryEmailUpdateResponse> => {
    const target = await resolveTarget(ctx, input.AccountId, { memberOnly: true });
    const pending = await pendingPrimaryEmailUpdate(ctx.tx, target.id);
    if (!pending) throw accountErrors.noPendingPrimaryEmailUpdate();
    if (input.PrimaryEmail !== pending.email) {
      throw accountErrors.validation(
        "The primary email address does not match the one of the pending update (StartPrimaryEmailUpdate).",
        "fieldValidationFailed",
        {
          name: "primaryEmail",
          message: "Does not match the pending primary email update.",
        },
      );
    }
    if (input.Otp !== pending.code) {
      throw accountErrors.validation("The one-time password is not valid.", "fieldValidationFailed", {
        name: "otp",
        message: "Invalid one-time password.",
      });
    }
    if (await emailInUse(ctx, pending.email)) throw emailConflict(pending.email);
    await ctx.tx.updateTable("accounts").set({ email: pending.email }).where("id", "=", target.id).execute();
    await deleteDoc(ctx.tx, target.id, DocKind.primaryEmailUpdate);
    return { Status: "ACCEPTED" };
  },
);

export const GetPrimaryEmail = op(async (ctx, input: GetPrimaryEmailRequest): Promise<GetPrimaryEmailResponse> => {
  const target = await resolveTarget(ctx, input.AccountId, { memberOnly: true });
  return { PrimaryEmail: target.email };
});
