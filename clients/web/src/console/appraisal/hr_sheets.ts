// #/appraisal/sheets?month=YYYY-MM[&department=][&grade=][&late=1][&state=]:
// HR's sheets across the company for a month. Department, grade and late
// go to ListSheets (and ExportSheets) as the request's own filters; the
// state filter, which the API does not take, keeps the server's rows of
// that state (the table and the CSV alike). Release and finalize move the
// table's sheets one TransitionSheet each after a confirmation step; what
// the server refused is listed with its reason. Who may list or move
// which sheet is the server's decision.
import { ExportFormat } from "../../gen/survey/v1/report_pb";
import { SheetState, type Sheet } from "../../gen/survey/v1/appraisal_pb";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ListSheetsRequestSchema } from "../../gen/survey/v1/appraisal_pb";
import { readChunks, refusalOf } from "../api";
import { csvLine, download, el, field, parseCsv, refusal } from "../dom";
import { consoleTexts } from "../i18n";
import { appraisalTexts } from "../i18n_appraisal";
import { hrAppraisalTexts, type HrAppraisalTexts } from "../i18n_hr_appraisal";
import type { Page, PageContext } from "../page";
import { flagText } from "./history";
import { ensureHrStyle, companyZone, dataTable, MONTH, STATE_WORDS, stateOfWord, wordOfState } from "./hr_common";
import { lastMonth } from "./sheet";

type SheetsQuery = MessageInitShape<typeof ListSheetsRequestSchema>;

interface Filters { month: string; department: string; grade: string; late: boolean; state: string }

function filtersOf(params: URLSearchParams): Filters {
  const m = params.get("month") ?? "";
  const g = (params.get("grade") ?? "").toUpperCase();
  const s = params.get("state") ?? "";
  return { month: MONTH.test(m) ? m : lastMonth(), department: params.get("department") ?? "",
    grade: /^[A-E]$/.test(g) ? g : "", late: params.get("late") === "1", state: stateOfWord(s) ? s : "" };
}

function urlOf(f: Filters): string {
  const q = new URLSearchParams({ month: f.month });
  if (f.department) q.set("department", f.department);
  if (f.grade) q.set("grade", f.grade);
  if (f.late) q.set("late", "1");
  if (f.state) q.set("state", f.state);
  return `/appraisal/sheets?${q}`;
}

function request(f: Filters): SheetsQuery {
  return { period: f.month, departmentCode: f.department, grade: f.grade, lateOnly: f.late };
}

const fixed = (x: number, d = 2) => x.toFixed(d);

async function filterForm(ctx: PageContext, h: HrAppraisalTexts, f: Filters): Promise<HTMLFormElement> {
  const a = appraisalTexts[ctx.lang];
  const month = el("input", { type: "month", value: f.month, required: true });
  const dept = el("select", {}, el("option", { value: "" }, h.allDepartments));
  try {
    for (const d of (await ctx.clients.admin.listDepartments({})).departments) {
      dept.append(el("option", { value: d.code }, `${d.code} · ${d.name}`));
    }
  } catch { /* the list is the server's answer below */ }
  if (f.department && ![...dept.options].some((o) => o.value === f.department)) {
    dept.append(el("option", { value: f.department }, f.department));
  }
  dept.value = f.department;
  const grade = el("select", {}, el("option", { value: "" }, h.anyGrade),
    ...["A", "B", "C", "D", "E"].map((g) => el("option", { value: g }, g)));
  grade.value = f.grade;
  const state = el("select", {}, el("option", { value: "" }, h.anyState),
    ...STATE_WORDS.map(([w, s]) => el("option", { value: w }, a.states[s])));
  state.value = f.state;
  const late = el("input", { type: "checkbox", id: "filter-late", name: "late", checked: f.late });
  const form = el("form", { id: "sheets-filters", class: "hr-filters", "aria-label": h.filters },
    field("filter-month", h.month, month), field("filter-department", h.department, dept),
    field("filter-grade", h.grade, grade), field("filter-state", h.state, state),
    el("div", { class: "check" }, late, el("label", { for: "filter-late" }, h.lateOnly)),
    el("button", { type: "submit", id: "apply-filters" }, h.apply));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!MONTH.test(month.value)) return;
    ctx.navigate(urlOf({ month: month.value, department: dept.value, grade: grade.value, late: late.checked,
      state: state.value }));
  });
  return form;
}

function sheetsTable(ctx: PageContext, h: HrAppraisalTexts, f: Filters, sheets: Sheet[]): HTMLElement {
  const a = appraisalTexts[ctx.lang];
  return dataTable("sheets", h.sheetsCaption(f.month, sheets.length),
    [h.employeeNo, h.name, h.department, h.state, h.score, h.coefficient, h.performancePay, h.basePay,
      h.grade, h.late, h.flags],
    sheets.map((s) => ({
      data: { employee: s.employeeNo, state: wordOfState(s.state) },
      cells: [
        { field: "employee", value: s.employeeNo, text: el("a", {
          href: `#/appraisal/sheet?${new URLSearchParams({ month: s.period, employee: s.employeeNo })}`,
          title: h.openSheet(s.employeeNo) }, s.employeeNo) },
        { field: "name", value: s.employeeName, text: s.employeeName },
        { field: "department", value: s.departmentCode, text: s.departmentCode },
        { field: "state", value: wordOfState(s.state), text: a.states[s.state] ?? String(s.state) },
        { field: "score", value: s.scored ? String(s.score) : "", num: true, text: s.scored ? fixed(s.score) : "—" },
        { field: "coefficient", value: s.scored ? String(s.coefficient) : "", num: true,
          text: s.scored ? fixed(s.coefficient, 4) : "—" },
        { field: "performance-pay", value: String(s.performancePay), num: true, text: fixed(s.performancePay) },
        { field: "base-pay", value: String(s.basePay), num: true, text: fixed(s.basePay) },
        { field: "grade", value: s.grade, text: s.grade || "—" },
        { field: "late", value: s.late ? "true" : "false", text: s.late ? h.yes : h.no },
        { field: "flags", value: s.flags.join("|"), text: s.flags.map((x) => flagText(a, x)).join(" · ") || "—" },
      ],
    })));
}

// The state counts of the table, as a short list.
function stateCounts(ctx: PageContext, h: HrAppraisalTexts, sheets: Sheet[]): HTMLElement {
  const a = appraisalTexts[ctx.lang];
  const list = el("ul", { class: "state-counts", "aria-label": h.byState });
  for (const [w, s] of STATE_WORDS) {
    const n = sheets.filter((x) => x.state === s).length;
    if (n) list.append(el("li", { "data-state": w, "data-count": String(n) }, `${a.states[s]} ${n}`));
  }
  return list;
}

function exportPart(ctx: PageContext, h: HrAppraisalTexts, f: Filters): HTMLElement {
  const status = el("div", { class: "action-status", id: "export-status", "aria-live": "polite" });
  const button = el("button", { type: "button", id: "export-sheets" }, h.exportCsv);
  button.addEventListener("click", () => void (async () => {
    status.replaceChildren();
    button.disabled = true;
    try {
      let text = await readChunks(ctx.clients.appraisal.exportSheets({ ...request(f), format: ExportFormat.CSV }));
      if (f.state) {
        // The server's rows of that state only, its header and quoting kept.
        const rows = parseCsv(text);
        const col = rows[0]?.indexOf("state") ?? -1;
        if (col >= 0) text = [rows[0], ...rows.slice(1).filter((r) => r[col] === f.state)].map(csvLine).join("");
      }
      const name = ["sheets", f.month, f.department, f.grade, f.late ? "late" : "", f.state].filter((x) => x).join("-");
      download(`${name}.csv`, text);
      const done = el("p", { class: "ok", role: "status", tabindex: "-1" }, h.exported(Math.max(0, parseCsv(text).length - 1)));
      status.replaceChildren(done);
      done.focus();
    } catch (e) {
      status.replaceChildren(refusal(consoleTexts[ctx.lang], e));
    } finally {
      button.disabled = false;
    }
  })());
  return el("div", { class: "hr-export" }, button, el("p", { class: "hint" }, h.exportNote), status);
}

// Release (confirmed -> appeal window) or finalize (appeal window -> final)
// the table's sheets: ask first, then one call per sheet, then the
// server's summary and refusals.
function monthActions(ctx: PageContext, h: HrAppraisalTexts, f: Filters, sheets: Sheet[], reload: () => Promise<void>): HTMLElement {
  const t = consoleTexts[ctx.lang];
  const ask = el("div", { id: "month-confirm", class: "month-confirm", hidden: true });
  const result = el("div", { id: "month-result", class: "action-status", "aria-live": "polite" });
  const act = (from: SheetState, to: SheetState, text: (m: string, n: number, rest: number) => string) => {
    const targets = sheets.filter((s) => s.state === from);
    result.replaceChildren();
    ask.hidden = false;
    if (targets.length === 0) {
      const p = el("p", { role: "status", tabindex: "-1" }, h.nothingTo);
      ask.replaceChildren(p);
      p.focus();
      return;
    }
    const go = el("button", { type: "button", id: "month-confirm-do" }, h.confirmDo);
    const no = el("button", { type: "button", id: "month-cancel", class: "secondary" }, h.cancel);
    const q = el("p", { id: "month-question", tabindex: "-1" }, text(f.month, targets.length, sheets.length - targets.length));
    ask.replaceChildren(q, el("div", { class: "buttons" }, go, no));
    q.focus();
    no.addEventListener("click", () => {
      ask.hidden = true;
      const p = el("p", { role: "status", tabindex: "-1" }, h.cancelled);
      result.replaceChildren(p);
      p.focus();
    });
    go.addEventListener("click", () => void (async () => {
      go.disabled = true;
      no.disabled = true;
      const refused: { no: string; code: string; reason: string; message: string }[] = [];
      let done = 0;
      for (let i = 0; i < targets.length; i++) {
        ask.replaceChildren(el("p", { role: "status" }, h.working(i + 1, targets.length)));
        try {
          await ctx.clients.appraisal.transitionSheet({ employeeNo: targets[i].employeeNo, period: f.month, to });
          done++;
        } catch (e) {
          const r = refusalOf(e);
          refused.push({ no: targets[i].employeeNo, ...r });
        }
      }
      ask.hidden = true;
      await reload();
      const summary = el("p", { class: refused.length ? "partial" : "ok", role: "status", tabindex: "-1",
        id: "month-summary", "data-done": String(done), "data-refused": String(refused.length) },
        h.resultSummary(done, refused.length));
      const parts: Node[] = [summary];
      if (refused.length) {
        parts.push(dataTable("refusals", h.refusals, [h.employeeNo, h.reasonCol, h.messageCol],
          refused.map((r) => ({ data: { employee: r.no }, cells: [
            { field: "employee", value: r.no, text: r.no },
            { field: "reason", value: r.reason || r.code, text: t.reasons[r.reason] ?? (r.reason || r.code) },
            { field: "message", value: r.message, text: r.message }] }))));
      }
      const slot = document.getElementById("month-result") ?? result;
      slot.replaceChildren(...parts);
      (slot.querySelector("#month-summary") as HTMLElement | null)?.focus();
    })());
  };
  const release = el("button", { type: "button", id: "release-month" }, h.release);
  const finalize = el("button", { type: "button", id: "finalize-month" }, h.finalize);
  release.addEventListener("click", () => act(SheetState.CONFIRMED, SheetState.APPEAL_WINDOW, h.releaseAsk));
  finalize.addEventListener("click", () => act(SheetState.APPEAL_WINDOW, SheetState.FINAL, h.finalizeAsk));
  return el("section", { id: "month-actions", class: "month-actions", "aria-labelledby": "month-actions-heading" },
    el("h2", { id: "month-actions-heading" }, h.monthActions),
    el("div", { class: "buttons" }, release, finalize), ask, result);
}

export const hrSheetsPage: Page = async (root, ctx) => {
  ensureHrStyle();
  const h = hrAppraisalTexts[ctx.lang];
  const f = filtersOf(ctx.params);
  const page = el("section", { class: "appraisal-page hr-page", "data-view": "hr-sheets", "data-month": f.month });
  root.replaceChildren(page);
  const body = el("div", { id: "sheets-body", "aria-busy": "true" }, el("p", { role: "status" }, h.loading));
  page.append(el("h1", { tabindex: "-1" }, `${h.sheetsTitle} · ${f.month}`), await filterForm(ctx, h, f), body);
  const zone = await companyZone(ctx, f.month);
  const reload = async () => {
    let sheets: Sheet[];
    try {
      sheets = (await ctx.clients.appraisal.listSheets(request(f))).sheets;
    } catch (e) {
      body.replaceChildren(refusal(consoleTexts[ctx.lang], e));
      body.setAttribute("aria-busy", "false");
      return;
    }
    const want = stateOfWord(f.state);
    if (want !== undefined) sheets = sheets.filter((s) => s.state === want);
    // The month's actions above the table they act on, so that HR need
    // not scroll past sixty rows to release.
    const parts: Node[] = [stateCounts(ctx, h, sheets), monthActions(ctx, h, f, sheets, reload), exportPart(ctx, h, f),
      sheets.length ? sheetsTable(ctx, h, f, sheets) : el("p", { id: "no-sheets" }, h.noSheets)];
    if (zone) parts.unshift(el("p", { class: "hint", id: "time-zone" }, h.timeZoneNote(zone)));
    body.replaceChildren(...parts);
    body.setAttribute("aria-busy", "false");
  };
  await reload();
};
