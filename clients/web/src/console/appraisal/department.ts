// #/appraisal/department?month=YYYY-MM[&department=CODE]: the department's
// sheets of a month in one table (ListSheets): employee, state, score,
// coefficient, late, flags; each row opens the reviewer's sheet editor.
// A manager sees their own department (the server picks it when none is
// asked for, and refuses another); HR may name any department.
import { SheetState, type Sheet } from "../../gen/survey/v1/appraisal_pb";
import { el, refusal } from "../dom";
import { consoleTexts } from "../i18n";
import { appraisalTexts } from "../i18n_appraisal";
import type { Page } from "../page";
import { offsetLabel, offsetOfDeadline } from "./calendar";
import { flagText } from "./history";
import {
  MANAGER_MONTH, departmentField, departmentOf, ensureManagerStyle, labelled, managerTabs,
  managerTextsOf, mayChooseDepartment, monthOf, pickForm,
} from "./manager_common";

export function reviewHref(no: string, month: string): string {
  return `#/appraisal/review?${new URLSearchParams({ employee: no, month })}`;
}

// The company's zone as the server names it on its sheets (else as a
// deadline it sent shows it): the page never assumes the browser's zone.
function zoneOf(sheets: Sheet[]): string | undefined {
  const named = sheets.find((x) => x.timeZone)?.timeZone;
  if (named) return named;
  const s = sheets.find((x) => Number(x.appealDeadlineUnix) > 0);
  return s ? offsetLabel(offsetOfDeadline(Number(s.appealDeadlineUnix))) : undefined;
}

function sheetsTable(ctx: Parameters<Page>[1], sheets: Sheet[], caption: string, month: string): HTMLElement {
  const m = managerTextsOf(ctx);
  const a = appraisalTexts[ctx.lang];
  const head = el("tr");
  const cols: [string, boolean][] = [[m.employee, false], [m.name, false], [m.state, false], [m.score, true],
    [m.coefficient, true], [m.late, false], [m.flags, false]];
  for (const [h, num] of cols) head.append(el("th", { scope: "col", class: num ? "num" : undefined }, h));
  const body = el("tbody");
  for (const s of sheets) {
    const who = s.employeeName ? `${s.employeeName} (${s.employeeNo})` : s.employeeNo;
    body.append(el("tr", { "data-employee": s.employeeNo },
      el("th", { scope: "row" }, el("a", { href: reviewHref(s.employeeNo, month), "aria-label": `${s.employeeNo} · ${m.open(who)}`,
        "data-field": "open" }, s.employeeNo)),
      el("td", { "data-field": "name" }, s.employeeName || "—"),
      el("td", { "data-field": "state", "data-value": SheetState[s.state] }, a.states[s.state] ?? String(s.state)),
      el("td", { class: "num", "data-field": "score", "data-value": s.scored ? String(s.score) : "" },
        s.scored ? `${s.score.toFixed(2)} / ${s.maxScore.toFixed(2)}` : a.notScored),
      el("td", { class: "num", "data-field": "coefficient", "data-value": s.scored ? String(s.coefficient) : "" },
        s.scored ? s.coefficient.toFixed(4) : "—"),
      el("td", { "data-field": "late", "data-value": s.late ? "true" : "false", class: s.late ? "late" : undefined },
        s.late ? `${m.lateYes} (${s.dataDueDate})` : m.lateNo),
      el("td", { "data-field": "flags", "data-value": s.flags.join("|") },
        s.flags.length ? s.flags.map((f) => flagText(a, f)).join(" · ") : m.none)));
  }
  return el("div", { class: "scroll", role: "region", tabindex: "0", "aria-label": caption },
    el("table", { "data-table": "department-sheets" }, el("caption", {}, caption), el("thead", {}, head), body));
}

export const departmentPage: Page = async (root, ctx) => {
  ensureManagerStyle();
  const m = managerTextsOf(ctx);
  const month = monthOf(ctx);
  const dept = departmentOf(ctx);
  const page = el("section", { class: "appraisal-page manager-page", "data-view": "department",
    "data-month": month, "data-department": dept });
  root.replaceChildren(page);
  const monthInput = el("input", { type: "month", value: month, required: true });
  const fields = [labelled("pick-month", m.month, monthInput), ...departmentField(ctx)];
  const pick = pickForm(ctx, "department-pick", fields, () => {
    if (!MANAGER_MONTH.test(monthInput.value)) return;
    const q = new URLSearchParams({ month: monthInput.value });
    const d = (page.querySelector("#pick-department") as HTMLInputElement | null)?.value.trim();
    if (d) q.set("department", d);
    ctx.navigate(`/appraisal/department?${q}`);
  });
  const body = el("div", { id: "department-body", "aria-busy": "true" }, el("p", { role: "status" }, m.loading));
  page.append(el("h1", { tabindex: "-1" }, `${m.departmentTitle} · ${dept || "—"} · ${month}`),
    managerTabs(ctx, "department", month, dept), pick, body);
  let sheets: Sheet[];
  try {
    // A manager's request names their department only when the URL asks
    // for one: the server decides, and refuses another department.
    const asked = ctx.params.get("department") ? dept : (mayChooseDepartment(ctx) ? "" : dept);
    sheets = (await ctx.clients.appraisal.listSheets({ period: month, departmentCode: asked })).sheets;
  } catch (e) {
    body.replaceChildren(refusal(consoleTexts[ctx.lang], e));
    body.setAttribute("aria-busy", "false");
    return;
  }
  const submitted = sheets.filter((s) => s.state !== SheetState.DRAFT && s.state !== SheetState.UNSPECIFIED).length;
  const late = sheets.filter((s) => s.late).length;
  const zone = zoneOf(sheets);
  body.replaceChildren(
    el("p", { id: "department-totals", "data-count": String(sheets.length), "data-submitted": String(submitted),
      "data-late": String(late) }, m.totals(sheets.length, submitted, late)),
    sheets.length === 0 ? el("p", {}, m.noSheets)
      : sheetsTable(ctx, sheets, m.sheetsCaption(dept || "—", month), month),
    el("p", { class: "hint" }, zone ? m.zoneNote(zone) : m.zoneNoteUnknown));
  body.setAttribute("aria-busy", "false");
};
