// #/appraisal/pay?month=YYYY-MM[&department=CODE]: the pay profiles in force
// in a month (ListPayProfiles) and the upload of HR's pay CSV
// (SetPayProfiles with the file's text). The server reads the file; any
// problem comes back with its line and column (reason CSV_INVALID, trailers
// `line` and `column`), and the page shows the file with the message beside
// the offending line. Nothing is written unless the whole file is good.
import type { ListPayProfilesResponse } from "../../gen/survey/v1/appraisal_pb";
import { csvLine, download, el } from "../dom";
import type { Page, PageContext } from "../page";
import {
  SETUP_MONTH, ensureSetupStyle, setupDefaultMonth, setupDone, setupFrame, setupOk, setupRefusal,
  setupTexts, whereOf,
} from "./setup_common";

const kPayHeader = ["employee_no", "from_period", "post", "grade", "post_pay", "base_salary"];

const yuan = (x: number) => x.toFixed(2);

function profilesTable(ctx: PageContext, month: string, r: ListPayProfilesResponse): HTMLElement {
  const s = setupTexts(ctx);
  if (r.profiles.length === 0) return el("p", { id: "pay-empty" }, s.noProfiles);
  const body = el("tbody");
  for (const p of r.profiles) {
    body.append(el("tr", { "data-employee": p.employeeNo },
      el("th", { scope: "row", "data-field": "employee_no" }, p.employeeNo),
      el("td", { "data-field": "from_period" }, p.fromPeriod),
      el("td", { "data-field": "post" }, p.post),
      el("td", { "data-field": "grade" }, p.grade),
      el("td", { class: "num", "data-field": "post_pay", "data-value": String(p.postPay) }, yuan(p.postPay)),
      el("td", { class: "num", "data-field": "base_salary", "data-value": String(p.baseSalary) }, yuan(p.baseSalary))));
  }
  const head = el("tr");
  [s.colEmployee, s.colFrom, s.colPost, s.colGrade, s.colPostPay, s.colBase].forEach((h, i) =>
    head.append(el("th", { scope: "col", class: i >= 4 ? "num" : undefined }, h)));
  return el("div", { class: "scroll", role: "region", tabindex: "0", "aria-labelledby": "pay-heading" },
    el("table", { "data-table": "pay" }, el("caption", { class: "sr" }, s.inForce(month)), el("thead", {}, head), body));
}

// The uploaded file, line by line, with the server's problem beside its line.
function fileWithProblem(ctx: PageContext, text: string, line: number, column: string, problem: HTMLElement): HTMLElement {
  const s = setupTexts(ctx);
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  const body = el("tbody");
  // Around the problem only: a payroll file has thousands of lines.
  const from = Math.max(1, line - 3), to = Math.min(lines.length, Math.max(line + 3, 7));
  for (let n = from; n <= to; n++) {
    const bad = n === line;
    const cells = el("td", { class: "csv-text" }, lines[n - 1] ?? "");
    if (bad) cells.append(el("div", { class: "csv-problem", id: "csv-problem", tabindex: "-1",
      "data-line": String(line), "data-column": column }, s.problemAt(String(line), column), problem));
    body.append(el("tr", { "data-csv-line": String(n), class: bad ? "bad" : undefined,
      "aria-current": bad ? "true" : undefined },
      el("th", { scope: "row", class: "num" }, String(n)), cells));
  }
  return el("div", { class: "scroll", role: "region", tabindex: "0", "aria-label": s.fileLines, id: "csv-file" },
    el("table", { "data-table": "csv" }, el("caption", { class: "sr" }, s.fileLines),
      el("thead", {}, el("tr", {}, el("th", { scope: "col", class: "num" }, s.lineNo), el("th", { scope: "col" }, s.content))),
      body));
}

function uploadForm(ctx: PageContext, month: string, redraw: (note?: string) => Promise<void>): HTMLElement {
  const s = setupTexts(ctx);
  const file = el("input", { type: "file", id: "pay-file", name: "pay-file", accept: ".csv,text/csv",
    "aria-describedby": "pay-upload-hint" });
  const status = el("div", { class: "action-status", id: "pay-status", "aria-live": "polite" });
  const where = el("div", { id: "pay-problem" });
  const template = el("button", { type: "button", id: "pay-template", class: "quiet" }, s.downloadTemplate);
  template.addEventListener("click", () => download("pay_profiles.csv",
    csvLine(kPayHeader) + csvLine(["E0001", month, "engineer", "3", "5000.00", "8000.00"])));
  const form = el("form", { id: "pay-form", class: "setup-form" },
    el("h2", { id: "upload-heading" }, s.upload),
    el("p", { class: "hint", id: "pay-upload-hint" }, s.uploadHint),
    el("div", { class: "setup-field wide" }, el("label", { for: "pay-file" }, s.file), file),
    el("div", { class: "row" }, el("button", { type: "submit", id: "upload-pay" }, s.uploadButton), template),
    status, where);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void (async () => {
      status.replaceChildren();
      where.replaceChildren();
      const chosen = file.files?.[0];
      if (!chosen) {
        status.replaceChildren(el("p", { class: "refusal", role: "alert" }, s.chooseFile));
        file.focus();
        return;
      }
      const text = await chosen.text();
      let written = 0, unchanged = 0;
      try {
        ({ written, unchanged } = await ctx.clients.appraisal.setPayProfiles({ csv: text }));
      } catch (e) {
        const w = whereOf(e);
        const line = Number(w.line);
        if (line > 0) {
          where.replaceChildren(fileWithProblem(ctx, text, line, w.column, setupRefusal(ctx, e)));
          where.querySelector<HTMLElement>("#csv-problem")?.focus();
        } else {
          status.replaceChildren(setupRefusal(ctx, e));
          file.focus();
        }
        return;
      }
      await redraw(s.written(written, unchanged));
    })();
  });
  return form;
}

export const payPage: Page = async (root, ctx) => {
  ensureSetupStyle();
  const s = setupTexts(ctx);
  const asked = ctx.params.get("month") ?? "";
  const month = SETUP_MONTH.test(asked) ? asked : setupDefaultMonth();
  const department = ctx.params.get("department") ?? "";
  const dept = el("input", { type: "text", id: "pay-department", name: "department", value: department,
    autocomplete: "off", size: "8" });
  const { page, body } = setupFrame(ctx, "pay", s.payTitle, { name: "month", value: month,
    extra: el("span", { class: "inline" }, el("label", { for: "pay-department" }, s.department), dept) });
  root.replaceChildren(page);
  const list = el("section", { "aria-labelledby": "pay-heading", id: "pay-list" });
  const form = uploadForm(ctx, month, async (note) => {
    await drawList();
    setupOk(form.querySelector<HTMLElement>("#pay-status")!, note ?? s.saved);
  });
  const drawList = async (): Promise<boolean> => {
    let r: ListPayProfilesResponse;
    try {
      r = await ctx.clients.appraisal.listPayProfiles({ period: month, departmentCode: department });
    } catch (e) {
      body.replaceChildren(setupRefusal(ctx, e));
      return false;
    }
    list.replaceChildren(el("h2", { id: "pay-heading" }, s.inForce(month)), profilesTable(ctx, month, r));
    list.dataset.count = String(r.profiles.length);
    return true;
  };
  if (await drawList()) body.replaceChildren(list, form);
  setupDone(body);
};
