// The handshakes tab: the organization's newest handshakes (invitations), each in its state now.
// @ts-check
import { fill, h, $ } from "./dom.js";
import { fmtNumber, fmtTime } from "./format.js";
import { data } from "./model.js";
import { badge, idText, table } from "./widgets.js";

export function renderHandshakes() {
  const panel = $("tab-handshakes");
  const org = data.state?.organization;
  const list = org?.handshakes ?? [];
  $("count-handshakes").textContent = org ? fmtNumber(org.handshakeCount) : "";
  if (!org || list.length === 0) {
    fill(panel, h("p", { class: "empty muted" }, "No handshakes (invitations) in this organization."));
    return;
  }
  const stateKind = (/** @type {string} */ s) =>
    s === "ACCEPTED" ? "ok" : s === "OPEN" || s === "REQUESTED" ? "info" : s === "EXPIRED" || s === "DECLINED" ? "warn" : "neutral";
  fill(
    panel,
    table(
      ["State", "Action", "Parties", "Requested", "Expires", "Id"],
      list.map((hs) => [
        badge(hs.state, stateKind(hs.state)),
        hs.action,
        hs.parties.map((p) => h("div", null, h("span", { class: "muted" }, `${p.Type} `), p.Id)),
        fmtTime(hs.requestedAt),
        fmtTime(hs.expiresAt),
        idText(hs.id),
      ]),
    ),
    org.handshakeCount > list.length
      ? h("p", { class: "muted" }, `Showing the ${list.length} newest of ${fmtNumber(org.handshakeCount)}.`)
      : null,
  );
}
