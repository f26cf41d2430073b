// #/results/employee/NO?range=…: one employee's customer satisfaction:
// the figures, a radar of the nine sub-indicators, the 1–10 distribution
// of each, and released comments. Without NO: the caller's own employee.
// Whose figures the caller may see is the server's decision.
import type { Page, PageContext } from "../page";
import {
  chosenRange, el, exportButton, figureCells, figureHeaders, guarded, heading, pathWith, periodBar,
  rangeMsg, scroller, table, tabs, textsOf, withheldNote,
} from "./common";
import { shareCells } from "./department";
import { commentsSection, subIndicatorSection } from "./subs";

// A form to open another employee by number (HR and managers).
export function employeeForm(ctx: PageContext, current: string, go: (no: string) => void): HTMLElement {
  const t = textsOf(ctx);
  const input = el("input", { id: "results-employee", name: "employee", value: current, size: "10",
    autocomplete: "off" });
  const form = el("form", { class: "employee-pick" },
    el("label", { for: "results-employee" }, t.employeePick), input, el("button", { type: "submit" }, t.show));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const no = input.value.trim();
    if (no) go(no);
  });
  return form;
}

export const employeePage: Page = async (root, ctx) => {
  const t = textsOf(ctx);
  const range = await chosenRange(ctx);
  const no = ctx.route[2] ?? ctx.me.employeeNo;
  const page = el("section", { class: "results-page", "data-view": "employee", "data-range": range,
    "data-employee": no });
  root.replaceChildren(page);
  page.append(tabs(ctx, "employee", range), heading(ctx, `${t.employee} ${no}`, range));
  const bar = periodBar(ctx, range);
  bar.append(employeeForm(ctx, no, (n) => ctx.navigate(pathWith(["results", "employee", n],
    { range, campaign: ctx.params.get("campaign") ?? "" }))));
  page.append(bar);
  if (!no) return;
  await guarded(ctx, page, async () => {
    const report = await ctx.clients.report.getSubjectReport({
      subject: { kind: { case: "employeeNo", value: no } }, ...rangeMsg(range) });
    const name = report.subject?.displayName || no;
    page.querySelector("h1")!.textContent = `${t.employee} ${name} (${no}) · ${range}`;
    page.append(el("div", { class: "exports" },
      exportButton(t, t.downloadCsv, "subject", `employee-${no}-${range}.csv`,
        () => ctx.clients.report.exportReport({ view: { case: "subject", value: {
          subject: { kind: { case: "employeeNo", value: no } }, ...rangeMsg(range) } } }))),
      withheldNote(t));
    page.append(scroller(t.summary, table("employee-summary", `${t.summary} · ${name}`,
      [t.code, t.dept, ...figureHeaders(t), t.share910, t.share15, t.k],
      [el("tr", { "data-code": no }, el("th", { scope: "row" }, no),
        el("td", {}, report.subject?.departmentCodeOfEmployee ?? ""),
        ...figureCells(t, report.figures), ...shareCells(ctx, report.figures),
        el("td", { class: "num", "data-field": "k" }, String(report.figures?.k ?? "")))])));
    subIndicatorSection(ctx, page, name, report.figures, "employee");
    await commentsSection(ctx, page, { case: "employeeNo", value: no }, rangeMsg(range));
  });
};
