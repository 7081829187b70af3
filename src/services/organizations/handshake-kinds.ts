/**
 * The kinds of handshake, by action: what AcceptHandshake does for each, after its state and party
 * checks and before it marks the handshake ACCEPTED. Each kind's module holds its behaviour; the
 * handshake operations (handshakes.ts) know no kind by name.
 */
import type { HandshakeKind } from "../../org/handshakes.js";
import { APPROVE_ALL_FEATURES, ENABLE_ALL_FEATURES } from "../../org/feature-set.js";
import { INVITE, onInvitationAccepted } from "./invitations.js";
import { onAllFeaturesHandshakeAccepted } from "./all-features.js";
import { onTransferHandshakeAccepted, TRANSFER_RESPONSIBILITY } from "./transfers.js";

const HANDSHAKE_KINDS: ReadonlyMap<string, HandshakeKind> = new Map([
  /** The invited account joins the organization. */
  [INVITE, { accepted: onInvitationAccepted }],
  /** A member approves the move to all features (or the management account accepts the open parent: the move completes). */
  [ENABLE_ALL_FEATURES, { accepted: onAllFeaturesHandshakeAccepted }],
  /** The management account's final approval: the organization has all features. */
  [APPROVE_ALL_FEATURES, { accepted: onAllFeaturesHandshakeAccepted }],
  /** The invited organization lets the inviter pay its bill: the transfer is ACCEPTED. */
  [TRANSFER_RESPONSIBILITY, { accepted: onTransferHandshakeAccepted }],
]);

/** The kind of a handshake's action; every stored handshake has one (an action without one is a fault). */
export function handshakeKind(action: string): HandshakeKind {
  const kind = HANDSHAKE_KINDS.get(action);
  if (!kind) throw new Error(`no handshake kind for the action ${action}`);
  return kind;
}
