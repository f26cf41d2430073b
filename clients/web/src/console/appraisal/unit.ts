// The department's own appraisal and its quarter view:
//   #/appraisal/unit?month=YYYY-MM[&department=CODE]  GetDepartmentAppraisal
//     (duties, plan, key indicator, the customer part the push wrote, the
//     totals); HR enters the audited scores (UpdateDepartmentAppraisal).
//   #/appraisal/quarter?quarter=YYYY-Qn[&department=CODE]  ListQuarterlyScores
// A manager sees their own department; another is the server's refusal.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { DepartmentAppraisalSchema, type DepartmentAppraisal, type QuarterlyScore } from "../../gen/survey/v1/appraisal_pb";
import { refusalOf } from "../api";
import { el, refusal } from "../dom";
import { consoleTexts } from "../i18n";
import type { Page, PageContext } from "../page";
import {
  MANAGER_MONTH, MANAGER_QUARTER, departmentField, departmentOf, ensureManagerStyle, fixed, labelled,
  managerTabs, managerTextsOf, mayChooseDepartment, monthOf, pickForm, quarterOfMonth,
} from "./manager_common";

function fact(term: string, field: string, text: string, value: string, extra?: Node): HTMLElement {
  return el("div", { class: "fact" }, el("dt", {}, term),
    el("dd", { "data-field": field, "data-value": value }, text, extra ?? ""));
}

function customerText(ctx: PageContext, d: DepartmentAppraisal): string {
  const m = managerTextsOf(ctx);
  const p = d.customerProvenance;
  if (!p || (p.periods.length === 0 && Number(p.responses) === 0 && !p.insufficientResponses)) return m.notPushed;
  const months = p.periods.join(", ") || "—";
  if (p.insufficientResponses) return m.insufficient(months, p.anonymityK);
  return m.provenance({ months, responses: String(p.responses), k: p.anonymityK, mean: p.mean.toFixed(2),
    low: (p.ci95?.low ?? 0).toFixed(2), high: (p.ci95?.high ?? 0).toFixed(2) });
}

function appraisalFacts(ctx: PageContext, d: DepartmentAppraisal): HTMLElement {
  const m = managerTextsOf(ctx);
  const pushed = customerText(ctx, d);
  return el("dl", { class: "facts", id: "unit-facts", "data-complete": d.complete ? "true" : "false" },
    fact(m.duties, "duties", fixed(d.dutiesScore), String(d.dutiesScore)),
    fact(m.plan, "plan", fixed(d.planScore), String(d.planScore)),
    fact(m.customer, "customer", fixed(d.customerScore), String(d.customerScore),
      el("p", { class: "provenance", "data-field": "customer-provenance" }, pushed)),
    fact(m.keyIndicator, "key-indicator", `${fixed(d.keyIndicatorScore)} (${m.keyFactor((d.keyIndicatorScore / 100).toFixed(4))})`,
      String(d.keyIndicatorScore)),
    fact(m.total, "total", d.complete ? fixed(d.total) : "—", d.complete ? String(d.total) : ""),
    fact(m.totalNormalised, "total-normalised", d.complete ? fixed(d.totalNormalised) : "—",
      d.complete ? String(d.totalNormalised) : ""));
}

// HR's form for the audited scores; the server refuses anyone else.
function unitForm(ctx: PageContext, d: DepartmentAppraisal, redraw: (note: string) => Promise<void>): HTMLElement {
  const m = managerTextsOf(ctx);
  const input = (v: number) => el("input", { type: "number", min: "0", max: "100", step: "0.01", required: true,
    inputmode: "decimal", value: String(v) });
  const duties = input(d.dutiesScore), plan = input(d.planScore), key = input(d.keyIndicatorScore);
  const status = el("div", { class: "action-status", id: "unit-status", "aria-live": "polite" });
  const form = el("form", { id: "unit-form", class: "incident-form", novalidate: true },
    labelled("unit-duties", m.duties, duties), labelled("unit-plan", m.plan, plan),
    labelled("unit-key", m.keyIndicator, key), el("button", { type: "submit", id: "save-unit", class: "primary" }, m.saveUnit));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void (async () => {
      status.replaceChildren();
      try {
        await ctx.clients.appraisal.updateDepartmentAppraisal({ departmentCode: d.departmentCode, period: d.period,
          dutiesScore: Number(duties.value), planScore: Number(plan.value), keyIndicatorScore: Number(key.value) });
      } catch (e) {
        const r = refusal(consoleTexts[ctx.lang], e);
        r.setAttribute("tabindex", "-1");
        status.replaceChildren(r);
        r.focus();
        return;
      }
      await redraw(m.saved);
    })();
  });
  return el("section", { "aria-labelledby": "unit-form-heading" }, el("h2", { id: "unit-form-heading" }, m.unitForm),
    form, status);
}

export const unitPage: Page = async (root, ctx) => {
  ensureManagerStyle();
  const m = managerTextsOf(ctx);
  const month = monthOf(ctx);
  const dept = departmentOf(ctx);
  const page = el("section", { class: "appraisal-page manager-page", "data-view": "unit", "data-month": month,
    "data-department": dept });
  root.replaceChildren(page);
  const monthInput = el("input", { type: "month", value: month, required: true });
  const pick = pickForm(ctx, "unit-pick", [labelled("pick-month", m.month, monthInput), ...departmentField(ctx)], () => {
    if (!MANAGER_MONTH.test(monthInput.value)) return;
    const q = new URLSearchParams({ month: monthInput.value });
    const d = (page.querySelector("#pick-department") as HTMLInputElement | null)?.value.trim();
    if (d) q.set("department", d);
    ctx.navigate(`/appraisal/unit?${q}`);
  });
  const body = el("div", { id: "unit-body", "aria-busy": "true" }, el("p", { role: "status" }, m.loading));
  page.append(el("h1", { tabindex: "-1" }, `${m.unitTitle} · ${dept || "—"} · ${month}`),
    managerTabs(ctx, "unit", month, dept), pick, body);
  const draw = async (note?: string) => {
    body.setAttribute("aria-busy", "true");
    if (!dept) {
      body.replaceChildren(el("p", {}, m.departmentHint));
      body.setAttribute("aria-busy", "false");
      return;
    }
    let d: DepartmentAppraisal | undefined;
    let missing: HTMLElement | undefined;
    try {
      d = await ctx.clients.appraisal.getDepartmentAppraisal({ departmentCode: dept, period: month });
    } catch (e) {
      // Nothing entered or pushed for the month yet: said in the server's
      // words, and HR may enter it; any other refusal is the page.
      if (ConnectError.from(e).code !== Code.NotFound) {
        body.replaceChildren(refusal(consoleTexts[ctx.lang], e));
        body.setAttribute("aria-busy", "false");
        return;
      }
      missing = el("p", { class: "hint", id: "unit-missing" }, m.notEntered, " ",
        el("span", { class: "server-message" }, refusalOf(e).message));
    }
    if (d) {
      body.replaceChildren(appraisalFacts(ctx, d), d.complete ? "" : el("p", { class: "hint" }, m.incomplete));
    } else {
      body.replaceChildren(missing ?? "");
    }
    if (mayChooseDepartment(ctx)) {
      body.append(unitForm(ctx, d ?? create(DepartmentAppraisalSchema, { departmentCode: dept, period: month }), draw));
    }
    body.setAttribute("aria-busy", "false");
    if (note) {
      const done = el("p", { class: "ok", role: "status", tabindex: "-1" }, note);
      body.querySelector("#unit-status")?.replaceChildren(done);
      done.focus();
    }
  };
  await draw();
};

function quarterTable(ctx: PageContext, scores: QuarterlyScore[], names: Map<string, string>, caption: string): HTMLElement {
  const m = managerTextsOf(ctx);
  const head = el("tr");
  const cols: [string, boolean][] = [[m.employee, false], [m.name, false], [m.role, false], [m.own, true],
    [m.months, true], [m.deptScore, true], [m.deptMonths, true], [m.quarterly, true]];
  for (const [h, num] of cols) head.append(el("th", { scope: "col", class: num ? "num" : undefined }, h));
  const body = el("tbody");
  for (const s of scores) {
    const has = (months: number) => months > 0;
    body.append(el("tr", { "data-employee": s.employeeNo, "data-complete": s.complete ? "true" : "false" },
      el("th", { scope: "row" }, s.employeeNo),
      el("td", { "data-field": "name" }, names.get(s.employeeNo) ?? "—"),
      el("td", { "data-field": "role", "data-value": s.manager ? "manager" : "member" }, s.manager ? m.manager : m.member),
      el("td", { class: "num", "data-field": "own", "data-value": has(s.months) ? String(s.own) : "" },
        has(s.months) ? s.own.toFixed(2) : "—"),
      el("td", { class: "num", "data-field": "months", "data-value": String(s.months) }, String(s.months)),
      el("td", { class: "num", "data-field": "department", "data-value": has(s.departmentMonths) ? String(s.department) : "" },
        has(s.departmentMonths) ? s.department.toFixed(2) : "—"),
      el("td", { class: "num", "data-field": "department-months", "data-value": String(s.departmentMonths) },
        String(s.departmentMonths)),
      el("td", { class: "num", "data-field": "quarterly", "data-value": s.complete ? String(s.quarterly) : "" },
        s.complete ? s.quarterly.toFixed(2) : m.incompleteRow)));
  }
  return el("div", { class: "scroll", role: "region", tabindex: "0", "aria-label": caption },
    el("table", { "data-table": "quarter" }, el("caption", {}, caption), el("thead", {}, head), body));
}

export const quarterPage: Page = async (root, ctx) => {
  ensureManagerStyle();
  const m = managerTextsOf(ctx);
  const asked = ctx.params.get("quarter") ?? "";
  const quarter = MANAGER_QUARTER.test(asked) ? asked : quarterOfMonth(monthOf(ctx));
  const lastMonth = `${quarter.slice(0, 4)}-${String(Number(quarter[6]) * 3).padStart(2, "0")}`;
  const dept = departmentOf(ctx);
  const page = el("section", { class: "appraisal-page manager-page", "data-view": "quarter", "data-quarter": quarter,
    "data-department": dept });
  root.replaceChildren(page);
  const input = el("input", { type: "text", value: quarter, required: true, pattern: "\\d{4}-Q[1-4]",
    placeholder: "2026-Q4", "aria-describedby": "quarter-format" });
  const pick = pickForm(ctx, "quarter-pick", [labelled("pick-quarter", m.quarter, input),
    el("span", { class: "hint", id: "quarter-format" }, "YYYY-Qn"), ...departmentField(ctx)], () => {
    if (!MANAGER_QUARTER.test(input.value.trim())) return;
    const q = new URLSearchParams({ quarter: input.value.trim() });
    const d = (page.querySelector("#pick-department") as HTMLInputElement | null)?.value.trim();
    if (d) q.set("department", d);
    ctx.navigate(`/appraisal/quarter?${q}`);
  });
  const body = el("div", { id: "quarter-body", "aria-busy": "true" }, el("p", { role: "status" }, m.loading));
  page.append(el("h1", { tabindex: "-1" }, `${m.quarterTitle} · ${dept || "—"} · ${quarter}`),
    managerTabs(ctx, "quarter", lastMonth, dept), pick, el("p", { class: "hint" }, m.quarterHint), body);
  const requested = ctx.params.get("department") ? dept : (mayChooseDepartment(ctx) ? "" : dept);
  let scores: QuarterlyScore[];
  try {
    scores = (await ctx.clients.appraisal.listQuarterlyScores({ quarter, departmentCode: requested })).scores;
  } catch (e) {
    body.replaceChildren(refusal(consoleTexts[ctx.lang], e));
    body.setAttribute("aria-busy", "false");
    return;
  }
  // Names from the quarter's last month's sheet list (best effort).
  const names = new Map<string, string>();
  try {
    const list = await ctx.clients.appraisal.listSheets({ period: lastMonth, departmentCode: requested });
    for (const s of list.sheets) if (s.employeeName) names.set(s.employeeNo, s.employeeName);
  } catch { /* the numbers alone still say it */ }
  body.replaceChildren(scores.length === 0 ? el("p", {}, m.noScores)
    : quarterTable(ctx, scores, names, `${m.quarterTitle} · ${dept || "—"} · ${quarter}`));
  body.setAttribute("aria-busy", "false");
};
