// #/results/department/CODE?range=…: one department's figures, its
// employees ranked with their 95 % intervals, its sub-indicators and its
// released comments. Without CODE: a manager's own department, or (HR) a
// department picked from the list. Another department than the caller's
// gets the server's refusal, shown as such.
import type { Figures } from "../../gen/survey/v1/report_pb";
import type { Page, PageContext } from "../page";
import {
  chosenRange, el, figCell, fmtShare, exportButton, figureCells, figureHeaders, guarded, heading, pathWith, periodBar,
  rangeMsg, scoreChart, scroller, table, tabs, textsOf, withheldNote,
} from "./common";
import { rankedRows, scoreRows, withheldCount } from "./org";
import { commentsSection, subIndicatorSection } from "./subs";

// A select of the departments the server lists to this caller; choosing
// one navigates (the code is in the path).
export async function departmentPicker(ctx: PageContext, current: string,
                                       go: (code: string) => void): Promise<HTMLElement | undefined> {
  const t = textsOf(ctx);
  try {
    const { departments } = await ctx.clients.admin.listDepartments({});
    if (departments.length === 0) return undefined;
    const select = el("select", { id: "results-department", name: "department" });
    for (const d of departments) {
      const o = el("option", { value: d.code }, `${d.code} · ${d.name}`);
      if (d.code === current) o.selected = true;
      select.append(o);
    }
    if (!departments.some((d) => d.code === current)) {
      select.prepend(el("option", { value: current, selected: "" }, current));
    }
    select.addEventListener("change", () => go(select.value));
    return el("div", { class: "department-pick" },
      el("label", { for: "results-department" }, t.departmentPick), select);
  } catch {
    return undefined;
  }
}

// The department in the path, else the caller's, else the first listed.
export async function chosenDepartment(ctx: PageContext): Promise<string> {
  if (ctx.route[2]) return ctx.route[2];
  if (ctx.me.departmentCode) return ctx.me.departmentCode;
  try {
    const { departments } = await ctx.clients.admin.listDepartments({});
    return departments[0]?.code ?? "";
  } catch {
    return "";
  }
}

export const departmentPage: Page = async (root, ctx) => {
  const t = textsOf(ctx);
  const range = await chosenRange(ctx);
  const code = await chosenDepartment(ctx);
  const page = el("section", { class: "results-page", "data-view": "department", "data-range": range,
    "data-department": code });
  root.replaceChildren(page);
  page.append(tabs(ctx, "department", range), heading(ctx, `${t.department} ${code}`, range));
  const bar = periodBar(ctx, range);
  page.append(bar);
  const picker = await departmentPicker(ctx, code, (c) => ctx.navigate(pathWith(["results", "department", c],
    { range, campaign: ctx.params.get("campaign") ?? "" })));
  if (picker) bar.append(picker);
  await guarded(ctx, page, async () => {
    const report = await ctx.clients.report.getDepartmentReport({ departmentCode: code, ...rangeMsg(range) });
    page.append(el("div", { class: "exports" },
      exportButton(t, t.downloadCsv, "department", `department-${code}-${range}.csv`,
        () => ctx.clients.report.exportReport({
          view: { case: "department", value: { departmentCode: code, ...rangeMsg(range) } } }))),
      withheldNote(t));

    page.append(scroller(t.summary, table("department-summary", `${t.summary} · ${code}`,
      [t.code, ...figureHeaders(t), t.share910, t.share15, t.k],
      [el("tr", { "data-code": code }, el("th", { scope: "row" }, code), ...figureCells(t, report.department),
        ...shareCells(ctx, report.department), el("td", { class: "num", "data-field": "k" },
          String(report.department?.k ?? ""))) ])));

    const employees = report.employees;
    const split = el("div", { class: "results-stack" });
    page.append(el("h2", {}, t.employees), split);
    const chart = el("div", {});
    split.append(chart, scroller(t.employees, table("department-employees", t.employees,
      [t.rank, t.code, t.name, t.dept, ...figureHeaders(t)], rankedRows(ctx, employees, true))));
    scoreChart(chart, t, "department-employees",
      t.altRanking(t.employees, employees.length - withheldCount(employees), withheldCount(employees)),
      scoreRows(employees), true);

    subIndicatorSection(ctx, page, code, report.department, "department");
    await commentsSection(ctx, page, { case: "departmentCode", value: code }, rangeMsg(range));
  });
};

export function shareCells(ctx: PageContext, fig: Figures | undefined) {
  const t = textsOf(ctx);
  const k = fig?.k ?? 0;
  return [figCell(t, "share_9_10", fig?.share910, k, fmtShare), figCell(t, "share_1_5", fig?.share15, k, fmtShare)];
}
