// "#/accounts" (HR, admins): accounts for the whole organisation in one
// step (the activation codes exist only in the downloaded CSV), and a
// password reset that hands out a new one-time code.
import { readChunks } from "../api";
import { dateTime, download, el, field, parseCsv, refusal } from "../dom";
import { consoleTexts } from "../i18n";
import type { Page } from "../page";

export const accountsPage: Page = (root, ctx) => {
  const t = consoleTexts[ctx.lang];
  const reissue = el("input", { type: "checkbox", id: "reissue" });
  const orgStatus = el("div", { id: "org-accounts-status", "aria-live": "polite" });
  const orgButton = el("button", { type: "submit", class: "primary", id: "create-accounts" }, t.createAccounts);
  const orgForm = el("form", { class: "stack", id: "org-accounts", novalidate: true },
    el("p", {}, t.orgAccountsHint), el("label", { class: "check", for: "reissue" }, reissue, t.reissue), orgStatus, orgButton);
  orgForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    orgStatus.replaceChildren();
    orgButton.disabled = true;
    try {
      const csv = await readChunks(ctx.clients.account.createOrganisationAccounts({ reissueCodes: reissue.checked }));
      download(`accounts-${new Date().toISOString().slice(0, 10)}.csv`, csv);
      const rows = Math.max(0, parseCsv(csv).length - 1);
      orgStatus.append(el("p", { class: "ok", role: "status", "data-rows": String(rows) }, t.accountsDone(rows)));
    } catch (e) {
      orgStatus.append(refusal(t, e));
    } finally {
      orgButton.disabled = false;
    }
  });

  const account = el("input", { type: "text", autocomplete: "off", required: true });
  const resetStatus = el("div", { id: "reset-status", "aria-live": "polite" });
  const resetForm = el("form", { class: "stack", id: "reset-form", novalidate: true },
    el("p", {}, t.resetHint), field("reset-account", t.account, account), resetStatus,
    el("button", { type: "submit", class: "danger" }, t.reset));
  resetForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    resetStatus.replaceChildren();
    if (!account.value.trim()) return void resetStatus.append(el("p", { class: "error", role: "alert" }, t.fillAll));
    try {
      const r = await ctx.clients.account.resetPassword({ accountName: account.value.trim() });
      resetStatus.append(el("p", { class: "ok", role: "status" },
        t.resetDone(r.activationCode, dateTime(r.expiresAtUnix, ctx.lang))));
    } catch (e) {
      resetStatus.append(refusal(t, e));
    }
  });

  root.append(el("h1", {}, t.accountsTitle),
    el("section", { class: "card" }, el("h2", {}, t.orgAccounts), orgForm),
    el("section", { class: "card" }, el("h2", {}, t.resetTitle), resetForm));
};
