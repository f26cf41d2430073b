// What HR's appraisal pages share: their style sheet, the sheet states as
// the URL names them, a table whose cells carry the exact figure
// (data-field / data-value) so tests compare the page with the API, and
// the company's time zone as the server states it.
import { SheetState } from "../../gen/survey/v1/appraisal_pb";
import { el } from "../dom";
import type { PageContext } from "../page";

export function ensureHrStyle() {
  if (document.getElementById("hr-appraisal-style")) return;
  document.head.append(el("link", { id: "hr-appraisal-style", rel: "stylesheet", href: "hr_appraisal.css" }));
}

// URL word <-> state: "#/appraisal/sheets?state=appeal_window".
export const STATE_WORDS: [string, SheetState][] = [
  ["draft", SheetState.DRAFT], ["submitted", SheetState.SUBMITTED], ["confirmed", SheetState.CONFIRMED],
  ["appeal_window", SheetState.APPEAL_WINDOW], ["final", SheetState.FINAL],
];
export const stateOfWord = (w: string | null) => STATE_WORDS.find(([x]) => x === w)?.[1];
export const wordOfState = (s: SheetState) => STATE_WORDS.find(([, x]) => x === s)?.[0] ?? "";

export interface Cell { text: string | Node; field: string; value?: string; num?: boolean }

// A scrollable, labelled table; each row may carry data attributes.
export function dataTable(name: string, caption: string, head: string[], rows: { cells: Cell[]; data?: Record<string, string> }[]): HTMLElement {
  const tr = el("tr");
  head.forEach((h) => tr.append(el("th", { scope: "col" }, h)));
  const body = el("tbody");
  for (const r of rows) {
    const line = el("tr");
    for (const [k, v] of Object.entries(r.data ?? {})) line.dataset[k] = v;
    for (const c of r.cells) {
      line.append(el("td", { "data-field": c.field, "data-value": c.value, class: c.num ? "num" : undefined }, c.text));
    }
    body.append(line);
  }
  const id = `${name}-caption`;
  return el("div", { class: "scroll", role: "region", tabindex: "0", "aria-labelledby": id },
    el("table", { "data-table": name }, el("caption", { id }, caption), el("thead", {}, tr), body));
}

// The company's zone (IANA name) from the period's configuration, which HR
// may read; "" when the server does not say.
export async function companyZone(ctx: PageContext, period: string): Promise<string> {
  try {
    return (await ctx.clients.appraisal.getPeriodConfig({ period })).timeZone;
  } catch {
    return "";
  }
}

// "YYYY-MM-DD HH:MM" of a Unix time in an IANA zone (the browser's own
// zone is never used for the company's dates).
export function zoneTime(unix: bigint | number, zone: string): string {
  const n = Number(unix);
  if (!n) return "—";
  const f = new Intl.DateTimeFormat("en-CA", { timeZone: zone || "UTC", year: "numeric", month: "2-digit",
    day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const p = Object.fromEntries(f.formatToParts(new Date(n * 1000)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

export const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
