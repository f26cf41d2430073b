// #/appraisal/push?month=YYYY-MM: HR runs the satisfaction push of a month
// (PushSatisfaction) and reads its summary. The page first shows the
// configuration the push uses (k, window, the satisfaction line's weight,
// from GetPeriodConfig: only HR may read it, so anyone else sees the
// server's refusal instead of the button).
import type { PeriodConfig, PushSatisfactionResponse } from "../../gen/survey/v1/appraisal_pb";
import { el } from "../dom";
import type { Page, PageContext } from "../page";
import {
  SETUP_MONTH, ensureSetupStyle, setupDone, setupFrame, setupOk, setupRefusal, setupTexts, zoneLine,
} from "./setup_common";
import { lastMonth } from "./sheet";

function fact(term: string, field: string, value: number | string): HTMLElement {
  return el("div", { class: "fact" }, el("dt", {}, term),
    el("dd", { "data-field": field, "data-value": String(value) }, String(value)));
}

// "2026-12-05 10:31" in the company's zone.
function zoneTime(zone: string, lang: string): string {
  try {
    return new Intl.DateTimeFormat(lang === "zh" ? "zh-CN" : "en-GB", { timeZone: zone || undefined,
      dateStyle: "medium", timeStyle: "short" }).format(new Date());
  } catch {
    return new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }
}

function summary(ctx: PageContext, r: PushSatisfactionResponse, zone: string): HTMLElement {
  const s = setupTexts(ctx);
  return el("section", { "aria-labelledby": "push-summary-heading", id: "push-summary" },
    el("h2", { id: "push-summary-heading" }, s.summary),
    el("dl", { class: "facts" },
      fact(s.sheetsWritten, "sheets_written", r.sheetsWritten),
      fact(s.sheetsUnchanged, "sheets_unchanged", r.sheetsUnchanged),
      fact(s.insufficient, "insufficient", r.insufficient),
      fact(s.skipped, "sheets_skipped_not_draft", r.sheetsSkippedNotDraft),
      fact(s.departmentsWritten, "departments_written", r.departmentsWritten),
      fact(s.departmentsUnchanged, "departments_unchanged", r.departmentsUnchanged),
      el("div", { class: "fact" }, el("dt", {}, s.pushedAt),
        el("dd", { "data-field": "pushed-at" }, `${zoneTime(zone, ctx.lang)} (${zone || "UTC"})`))));
}

export const pushPage: Page = async (root, ctx) => {
  ensureSetupStyle();
  const s = setupTexts(ctx);
  const asked = ctx.params.get("month") ?? "";
  // The month just closed is the one usually pushed.
  const month = SETUP_MONTH.test(asked) ? asked : lastMonth();
  const { page, body } = setupFrame(ctx, "push", s.pushTitle, { name: "month", value: month });
  root.replaceChildren(page);
  let c: PeriodConfig;
  try {
    c = await ctx.clients.appraisal.getPeriodConfig({ period: month });
  } catch (e) {
    body.replaceChildren(setupRefusal(ctx, e));
    setupDone(body);
    return;
  }
  const status = el("div", { class: "action-status", id: "push-status", "aria-live": "polite" });
  const result = el("div", { id: "push-result" });
  const button = el("button", { type: "button", id: "run-push" }, s.pushButton);
  button.addEventListener("click", () => void (async () => {
    status.replaceChildren(el("p", { role: "status" }, s.pushing));
    result.replaceChildren();
    button.disabled = true;
    let r: PushSatisfactionResponse;
    try {
      r = await ctx.clients.appraisal.pushSatisfaction({ period: month });
    } catch (e) {
      button.disabled = false;
      status.replaceChildren(setupRefusal(ctx, e));
      button.focus();
      return;
    }
    button.disabled = false;
    result.replaceChildren(summary(ctx, r, c.timeZone));
    setupOk(status, s.pushDone);
  })());
  body.replaceChildren(
    el("p", { class: "hint" }, s.pushHint),
    zoneLine(ctx, c.timeZone),
    el("section", { "aria-labelledby": "push-uses-heading" },
      el("h2", { id: "push-uses-heading" }, s.pushUses),
      el("dl", { class: "facts", id: "push-config" },
        fact(s.fields.anonymity_k, "anonymity_k", c.anonymityK),
        fact(s.fields.max_window_periods, "max_window_periods", c.maxWindowPeriods),
        fact(s.fields.satisfaction_weight_percent, "satisfaction_weight_percent", c.satisfactionWeightPercent),
        fact(s.source, "configured-period", s.sourceValue(c.configuredPeriod)))),
    button, status, result);
  setupDone(body);
};
