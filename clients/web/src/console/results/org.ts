// #/results/org?range=2026-11[&campaign=ID]: every department and employee
// ranked by the lower bound of the 95 % interval (HR; the server refuses
// others and the page shows its refusal).
import { Suppression } from "../../gen/survey/v1/common_pb";
import type { OrganisationReport, RankedSubject } from "../../gen/survey/v1/report_pb";
import type { Page, PageContext } from "../page";
import {
  chosenRange, el, exportButton, figureCells, figureHeaders, guarded, heading, isHr, periodBar,
  rangeMsg, scoreChart, scroller, table, tabs, textsOf, withheldNote, type ScoreRow,
} from "./common";

function rankedRows(ctx: PageContext, list: RankedSubject[], employees: boolean) {
  const t = textsOf(ctx);
  return list.map((r) => {
    const s = r.subject;
    const code = (employees ? s?.kind.case === "employeeNo" : s?.kind.case === "departmentCode")
      ? String(s!.kind.value) : "";
    const cells = [
      el("td", { "data-field": "rank", class: "num" }, r.rank > 0 ? String(r.rank) : t.unranked),
      el("th", { scope: "row", "data-field": "code" }, code),
      el("td", { "data-field": "name" }, s?.displayName ?? ""),
      ...(employees ? [el("td", { "data-field": "department" }, s?.departmentCodeOfEmployee ?? "")] : []),
      ...figureCells(t, r.figures),
    ];
    return el("tr", { "data-code": code }, ...cells);
  });
}

export const scoreRows = (list: RankedSubject[]): ScoreRow[] => list.map((r) => {
  const code = String(r.subject?.kind.value ?? "");
  return { code, label: `${r.subject?.displayName || code} (${code})`, fig: r.figures };
});

const withheldCount = (list: RankedSubject[]) =>
  list.filter((r) => (r.figures?.total?.suppression ?? Suppression.NO_DATA) !== Suppression.NONE).length;

export const orgPage: Page = async (root, ctx) => {
  const t = textsOf(ctx);
  const range = await chosenRange(ctx);
  const page = el("section", { class: "results-page", "data-view": "org", "data-range": range });
  root.replaceChildren(page);
  page.append(tabs(ctx, "org", range), heading(ctx, t.org, range), periodBar(ctx, range));
  await guarded(ctx, page, async () => {
    // Every page of employees: the ranking is one list.
    let report: OrganisationReport | undefined;
    const employees: RankedSubject[] = [];
    let token = "";
    do {
      const r = await ctx.clients.report.getOrganisationReport({ ...rangeMsg(range), pageToken: token });
      report ??= r;
      employees.push(...r.employees);
      token = r.nextPageToken;
    } while (token);
    const departments = report!.departments;

    const exports = el("div", { class: "exports" },
      exportButton(t, t.downloadCsv, "organisation", `organisation-${range}.csv`,
        () => ctx.clients.report.exportReport({ view: { case: "organisation", value: rangeMsg(range) } })));
    const campaign = ctx.params.get("campaign");
    if (campaign && isHr(ctx)) {
      exports.append(exportButton(t, t.downloadResponses, "responses", `responses-${campaign}.csv`,
        () => ctx.clients.report.exportResponses({ campaignId: campaign })));
    }
    page.append(exports, withheldNote(t));

    const deptSplit = el("div", { class: "results-stack" });
    page.append(el("h2", {}, t.departments), deptSplit);
    const deptChart = el("div", {});
    deptSplit.append(deptChart, scroller(t.departments, table("org-departments", t.departments,
      [t.rank, t.code, t.name, ...figureHeaders(t)], rankedRows(ctx, departments, false))));
    scoreChart(deptChart, t, "org-departments",
      t.altRanking(t.departments, departments.length - withheldCount(departments), withheldCount(departments)),
      scoreRows(departments), true);

    const empSplit = el("div", { class: "results-stack" });
    page.append(el("h2", {}, t.employees), empSplit);
    const empChart = el("div", {});
    empSplit.append(empChart, scroller(t.employees, table("org-employees", t.employees,
      [t.rank, t.code, t.name, t.dept, ...figureHeaders(t)], rankedRows(ctx, employees, true))));
    scoreChart(empChart, t, "org-employees",
      t.altRanking(t.employees, employees.length - withheldCount(employees), withheldCount(employees)),
      scoreRows(employees), true);
  });
};

export { rankedRows, withheldCount };
