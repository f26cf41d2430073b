// Issuing invitations from the campaign page: from an uploaded tickets CSV
// (customer surveys) or the cross-evaluation matrix. The plaintext tokens
// exist only in the IssueInvitations answer, so the batch stays in this
// page's memory until the user downloads it as CSV or prints its QR codes.
import type { IssuedInvitation } from "../../gen/survey/v1/admin_pb";
import { CampaignKind, type Campaign } from "../../gen/survey/v1/common_pb";
import { noteFailure } from "../api";
import { csvLine, download, el, field, parseCsv, refusal } from "../dom";
import type { ConsoleTexts } from "../i18n";
import type { PageContext } from "../page";
import { qrSvg } from "../qr";

// One request stays well under the gateway's request size limit.
const kBatch = 1000;

interface Ticket { subject: string; ticket: string }

function isoUtc(unix: bigint): string {
  return new Date(Number(unix) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

// The file surveyctl writes (clients/common/invitation_files.cc), so the
// same tools (survey-sim --tokens, a mail merge) read either.
function invitationsCsv(cross: boolean, issued: IssuedInvitation[], tickets: Ticket[]): string {
  let out = csvLine(cross ? ["subject", "evaluating_department", "recipient_employee_no", "token", "deep_link", "expires_at"]
                          : ["ticket", "subject", "token", "deep_link", "expires_at"]);
  for (const inv of issued) {
    const subject = inv.subject?.kind.value ?? "";
    const lead = cross ? [subject, inv.evaluatingDepartmentCode, inv.recipientEmployeeNo]
                       : [tickets[inv.eventIndex]?.ticket ?? "", subject];
    out += csvLine([...lead, inv.token, inv.deepLink, isoUtc(inv.expiresAtUnix)]);
  }
  return out;
}

export function parseTickets(t: ConsoleTexts, text: string): Ticket[] | string {
  const rows = parseCsv(text);
  if (!rows.length) return t.noTickets;
  const head = rows[0].map((h) => h.trim().toLowerCase());
  const s = head.indexOf("subject_employee_no");
  const k = head.indexOf("ticket");
  if (s < 0) return t.badTickets(1, t.needSubject);
  const out: Ticket[] = [];
  for (let i = 1; i < rows.length; i++) {
    const subject = (rows[i][s] ?? "").trim();
    if (!subject) return t.badTickets(i + 1, "subject_employee_no");
    out.push({ subject, ticket: k >= 0 ? (rows[i][k] ?? "").trim() : "" });
  }
  return out.length ? out : t.noTickets;
}

export function tokensOf(text: string): string[] {
  const rows = parseCsv(text);
  if (!rows.length) return [];
  const col = rows[0].map((h) => h.trim().toLowerCase()).indexOf("token");
  if (col < 0) return [];
  return rows.slice(1).map((r) => (r[col] ?? "").trim()).filter((x) => x !== "");
}

async function revokeAll(ctx: PageContext, tokens: string[]) {
  const total = { revoked: 0, alreadyUsed: 0, unknown: 0 };
  for (let i = 0; i < tokens.length; i += kBatch) {
    const r = await ctx.clients.admin.revokeInvitations({ tokens: tokens.slice(i, i + kBatch) });
    total.revoked += r.revoked;
    total.alreadyUsed += r.alreadyUsed;
    total.unknown += r.unknown;
  }
  return total;
}

function qrSheet(t: ConsoleTexts, campaign: Campaign, title: string, issued: IssuedInvitation[], tickets: Ticket[]): HTMLElement {
  const cross = campaign.kind === CampaignKind.CROSS_EVALUATION;
  const grid = el("div", { class: "qr-sheet" });
  issued.forEach((inv, i) => {
    const subject = inv.subject?.kind.value ?? "";
    const who = cross ? `${inv.evaluatingDepartmentCode} → ${subject} · ${inv.recipientEmployeeNo}`
                      : `${tickets[inv.eventIndex]?.ticket ?? ""} · ${subject}`;
    const card = el("figure", { class: "qr-card" });
    card.append(qrSvg(inv.deepLink, `${i + 1}: ${who}`), el("p", {}, `${i + 1}. ${who}`), el("p", {}, inv.deepLink));
    grid.append(card);
  });
  const printButton = el("button", { type: "button", class: "primary no-print" }, t.print);
  const closeButton = el("button", { type: "button", class: "no-print" }, t.closeSheet);
  const sheet = el("section", { class: "qr-print", id: "qr-sheet", "aria-label": t.qrSheetTitle(issued.length) },
    el("h2", {}, `${title} · ${t.qrSheetTitle(issued.length)}`),
    el("div", { class: "actions no-print" }, printButton, closeButton), grid);
  printButton.addEventListener("click", () => window.print());
  closeButton.addEventListener("click", () => {
    document.body.classList.remove("printing");
    sheet.remove();
  });
  return sheet;
}

// The "issue" card: a form, and after a batch the panel that hands the
// tokens over.
export function issueCard(ctx: PageContext, t: ConsoleTexts, campaign: Campaign, title: string,
                          onIssued: () => void): HTMLElement {
  const cross = campaign.kind === CampaignKind.CROSS_EVALUATION;
  const file = el("input", { type: "file", accept: ".csv,text/csv" });
  const days = el("input", { type: "number", min: "1", max: "180", value: "30", required: true });
  const linkBase = el("input", { type: "url", value: new URL("/a/", location.href).href });
  const status = el("div", { id: "issue-status", "aria-live": "polite" });
  const result = el("div", { id: "issued" });
  const button = el("button", { type: "submit", class: "primary" }, cross ? t.issueCross : t.issue);
  const form = el("form", { class: "stack", id: "issue-form", novalidate: true },
    cross ? "" : field("tickets", t.ticketsFile, file),
    field("expires-days", t.expiresDays, days), field("link-base", t.linkBase, linkBase), status, button);

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    status.replaceChildren();
    result.replaceChildren();
    let tickets: Ticket[] = [];
    if (!cross) {
      const f = file.files?.[0];
      if (!f) return void status.append(el("p", { class: "error", role: "alert" }, t.noTickets));
      const parsed = parseTickets(t, await f.text());
      if (typeof parsed === "string") return void status.append(el("p", { class: "error", role: "alert" }, parsed));
      tickets = parsed;
    }
    const expires = BigInt(Math.floor(Date.now() / 1000) + Math.min(180, Math.max(1, Number(days.value) || 30)) * 86400);
    button.disabled = true;
    status.append(el("p", { role: "status" }, t.issuing));
    const issued: IssuedInvitation[] = [];
    let failure: unknown;
    try {
      const batches = cross ? [0] : [...Array(Math.ceil(tickets.length / kBatch)).keys()].map((b) => b * kBatch);
      for (const start of batches) {
        const events = tickets.slice(start, start + kBatch).map((x) => ({ subjectEmployeeNo: x.subject }));
        const stream = ctx.clients.admin.issueInvitations({ campaignId: campaign.id, events,
          expiresAtUnix: expires, linkBase: linkBase.value.trim() });
        for await (const inv of stream) {
          if (!cross) inv.eventIndex += start;
          issued.push(inv);
        }
      }
    } catch (e) {
      failure = e;
      noteFailure(e);
    } finally {
      button.disabled = false;
    }
    status.replaceChildren();
    if (failure) status.append(refusal(t, failure));
    if (issued.length) {
      result.append(handOver(ctx, t, campaign, title, issued, tickets));
      onIssued();
    }
  });
  return el("section", { class: "card" }, el("h2", {}, t.issueTitle), form, result);
}

function handOver(ctx: PageContext, t: ConsoleTexts, campaign: Campaign, title: string,
                  issued: IssuedInvitation[], tickets: Ticket[]): HTMLElement {
  const cross = campaign.kind === CampaignKind.CROSS_EVALUATION;
  const csv = el("button", { type: "button", class: "primary", id: "download-invitations" }, t.downloadCsv);
  const sheet = el("button", { type: "button", id: "qr-sheet-button" }, t.printQr);
  const revoke = el("button", { type: "button", class: "danger", id: "revoke-batch" }, t.revokeThese);
  const status = el("div", { "aria-live": "polite" });
  csv.addEventListener("click", () => download(
    `invitations-${campaign.period}-${campaign.id}-${Date.now()}.csv`, invitationsCsv(cross, issued, tickets)));
  sheet.addEventListener("click", () => {
    document.getElementById("qr-sheet")?.remove();
    const s = qrSheet(t, campaign, title, issued, tickets);
    (document.getElementById("main") as HTMLElement).prepend(s);
    document.body.classList.add("printing");
    (s.querySelector("button") as HTMLButtonElement).focus();
  });
  revoke.addEventListener("click", async () => {
    status.replaceChildren();
    try {
      const r = await revokeAll(ctx, issued.map((i) => i.token));
      status.append(el("p", { class: "ok", role: "status" }, t.revoked(r.revoked, r.alreadyUsed, r.unknown)));
    } catch (e) {
      status.append(refusal(t, e));
    }
  });
  return el("div", { class: "handover", "data-issued": String(issued.length) },
    el("p", { class: "ok", role: "status" }, t.issued(issued.length)),
    el("p", { class: "note" }, t.onlyOnce),
    el("div", { class: "actions" }, csv, sheet, revoke), status);
}

// Revoking any earlier batch from its CSV (the tokens are not stored).
export function revokeCard(ctx: PageContext, t: ConsoleTexts): HTMLElement {
  const file = el("input", { type: "file", accept: ".csv,text/csv" });
  const status = el("div", { "aria-live": "polite" });
  const form = el("form", { class: "stack", id: "revoke-form", novalidate: true },
    field("revoke-file", t.revokeFile, file), status,
    el("button", { type: "submit", class: "danger" }, t.revoke));
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    status.replaceChildren();
    const f = file.files?.[0];
    const tokens = f ? tokensOf(await f.text()) : [];
    if (!tokens.length) return void status.append(el("p", { class: "error", role: "alert" }, t.noTokens));
    try {
      const r = await revokeAll(ctx, tokens);
      status.append(el("p", { class: "ok", role: "status" }, t.revoked(r.revoked, r.alreadyUsed, r.unknown)));
    } catch (e) {
      status.append(refusal(t, e));
    }
  });
  return el("section", { class: "card" }, el("h2", {}, t.revokeTitle), form);
}
