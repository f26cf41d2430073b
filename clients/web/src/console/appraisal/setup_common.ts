// What HR's set-up pages share: their own style sheet, the tabs between
// them, a bookmarkable month or year picker, the company's time zone line,
// and a refusal that also says where (the server's `field`, or a CSV's
// `line` and `column` trailers).
import { ConnectError } from "@connectrpc/connect";
import { el, refusal } from "../dom";
import { consoleTexts } from "../i18n";
import { hrSetupTexts, type HrSetupTexts } from "../i18n_hr_setup";
import type { PageContext } from "../page";

export const SETUP_MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
export const SETUP_YEAR = /^\d{4}$/;

export function setupTexts(ctx: PageContext): HrSetupTexts {
  return hrSetupTexts[ctx.lang];
}

export function ensureSetupStyle() {
  if (document.getElementById("hr-setup-style")) return;
  document.head.append(el("link", { id: "hr-setup-style", rel: "stylesheet", href: "hr_setup.css" }));
}

// The month after the current one: HR prepares a month before it starts.
export function setupDefaultMonth(now = new Date()): string {
  const i = now.getFullYear() * 12 + now.getMonth() + 1;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`;
}

const kTabs = ["config", "holidays", "pay", "push"] as const;

// The page's frame: tabs to the other set-up pages (keeping the month),
// the heading and a picker whose value goes into the URL.
export function setupFrame(ctx: PageContext, view: (typeof kTabs)[number], title: string,
                           pick: { name: "month" | "year"; value: string; extra?: HTMLElement }): {
  page: HTMLElement; body: HTMLElement } {
  const s = setupTexts(ctx);
  const tabs = el("ul", {});
  const month = pick.name === "month" ? pick.value : "";
  for (const tab of kTabs) {
    const q = tab === "holidays" ? (month ? `?year=${month.slice(0, 4)}` : `?year=${pick.value}`)
      : (month ? `?month=${month}` : "");
    tabs.append(el("li", {}, el("a", { href: `#/appraisal/${tab}${q}`, "data-tab": tab,
      "aria-current": tab === view ? "page" : undefined }, s.tabs[tab])));
  }
  const input = el("input", pick.name === "month"
    ? { type: "month", id: "setup-pick", name: "month", value: pick.value, required: true }
    : { type: "number", id: "setup-pick", name: "year", value: pick.value, min: "2000", max: "2100",
        step: "1", required: true, inputmode: "numeric" });
  const form = el("form", { class: "month-pick", id: "setup-pick-form" },
    el("label", { for: "setup-pick" }, pick.name === "month" ? s.month : s.year), input);
  if (pick.extra) form.append(pick.extra);
  form.append(el("button", { type: "submit" }, s.show));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = input.value.trim();
    if (!(pick.name === "month" ? SETUP_MONTH : SETUP_YEAR).test(v)) return;
    const q = new URLSearchParams({ [pick.name]: v });
    const dept = form.querySelector<HTMLInputElement>("#pay-department")?.value.trim();
    if (dept) q.set("department", dept);
    ctx.navigate(`/appraisal/${view}?${q}`);
  });
  const body = el("div", { id: "setup-body", "aria-busy": "true" }, el("p", { role: "status" }, s.loading));
  const page = el("section", { class: "appraisal-page hr-setup", "data-view": view, "data-pick": pick.value },
    el("nav", { class: "setup-tabs", "aria-label": s.tabsLabel }, tabs),
    el("h1", { tabindex: "-1" }, `${title} · ${pick.value}`), form, body);
  return { page, body };
}

export function setupDone(body: HTMLElement) {
  body.setAttribute("aria-busy", "false");
}

// "Company time zone: Asia/Shanghai" with the sentence saying what it is for.
export function zoneLine(ctx: PageContext, zone: string): HTMLElement {
  const s = setupTexts(ctx);
  return el("p", { class: "hint zone", id: "setup-zone", "data-field": "time-zone", "data-value": zone },
    zone ? s.timeZoneNote(zone) : `${s.timeZone}: —`);
}

// Where the server says the problem is: its `field` trailer (FIELD_INVALID)
// or a CSV's `line` and `column` (CSV_INVALID).
export interface SetupWhere { field: string; line: string; column: string }

export function whereOf(e: unknown): SetupWhere {
  const m = ConnectError.from(e).metadata;
  return { field: m.get("field") ?? "", line: m.get("line") ?? "", column: m.get("column") ?? "" };
}

export function setupRefusal(ctx: PageContext, e: unknown): HTMLElement {
  const r = refusal(consoleTexts[ctx.lang], e);
  const w = whereOf(e);
  if (w.field) r.dataset.field = w.field;
  if (w.line) r.dataset.line = w.line;
  if (w.column) r.dataset.column = w.column;
  return r;
}

// A confirmation put in `slot` and focused (the control that was used may
// have been redrawn).
export function setupOk(slot: HTMLElement, text: string) {
  const done = el("p", { class: "ok", role: "status", tabindex: "-1" }, text);
  slot.replaceChildren(done);
  done.focus();
}
