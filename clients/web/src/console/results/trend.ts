// #/results/trend/KIND/CODE?year=2026 (KIND "employee" or "department"):
// one subject's score over the months, the quarters and the year — the
// ranges ReportService reports (a month, a quarter, a year). Without a
// subject: an employee's own figures, a manager's own department, HR's
// first department.
import type { SubjectReport } from "../../gen/survey/v1/report_pb";
import type { Page, PageContext } from "../page";
import {
  defaultRange, el, exportButton, figureCells, figureHeaders, guarded, isHr, pathWith, rangeMsg,
  scoreChart, scroller, table, tabs, textsOf, withheldNote, type ScoreRow,
} from "./common";
import { chosenDepartment, departmentPicker } from "./department";
import { employeeForm } from "./employee";

type Kind = "employee" | "department";

async function chosenSubject(ctx: PageContext): Promise<[Kind, string]> {
  if ((ctx.route[2] === "employee" || ctx.route[2] === "department") && ctx.route[3]) {
    return [ctx.route[2], ctx.route[3]];
  }
  if (!isHr(ctx) && !ctx.me.departmentCode && ctx.me.employeeNo) return ["employee", ctx.me.employeeNo];
  return ["department", await chosenDepartment({ ...ctx, route: ["results", "trend"] })];
}

// The year asked for, or the year of the period the other views show.
function chosenYear(ctx: PageContext): number {
  const y = ctx.params.get("year") ?? ctx.params.get("range")?.slice(0, 4) ?? "";
  return /^\d{4}$/.test(y) ? Number(y) : Number(defaultRange().slice(0, 4));
}

// The months and quarters of `year` up to now (later ones cannot have
// answers yet), then the year.
export function trendRanges(year: number, now = new Date()): { months: string[]; quarters: string[]; year: string } {
  const lastMonth = year < now.getFullYear() ? 12 : year > now.getFullYear() ? 0 : now.getMonth() + 1;
  const months = Array.from({ length: lastMonth }, (_, i) => `${year}-${String(i + 1).padStart(2, "0")}`);
  const quarters = Array.from({ length: Math.ceil(lastMonth / 3) }, (_, i) => `${year}-Q${i + 1}`);
  return { months, quarters, year: String(year) };
}

export const trendPage: Page = async (root, ctx) => {
  const t = textsOf(ctx);
  const [kind, code] = await chosenSubject(ctx);
  const year = chosenYear(ctx);
  const page = el("section", { class: "results-page", "data-view": "trend", "data-subject": `${kind}:${code}`,
    "data-year": String(year) });
  root.replaceChildren(page);
  page.append(tabs(ctx, "trend", ctx.params.get("range") ?? defaultRange()),
    el("h1", { tabindex: "-1" }, `${t.trend} · ${kind === "employee" ? t.employee : t.department} ${code} · ${year}`));

  const go = (y: number, k: Kind, c: string) => ctx.navigate(pathWith(["results", "trend", k, c], { year: String(y) }));
  const yearInput = el("input", { id: "results-year", name: "year", value: String(year), size: "5",
    inputmode: "numeric", autocomplete: "off" });
  const yearForm = el("form", {}, el("label", { for: "results-year" }, t.trendYear), yearInput,
    el("button", { type: "submit" }, t.show));
  yearForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (/^\d{4}$/.test(yearInput.value.trim())) go(Number(yearInput.value.trim()), kind, code);
  });
  const prev = el("button", { type: "button", "data-step": "-1" }, `‹ ${year - 1}`);
  const next = el("button", { type: "button", "data-step": "1" }, `${year + 1} ›`);
  prev.addEventListener("click", () => go(year - 1, kind, code));
  next.addEventListener("click", () => go(year + 1, kind, code));
  const bar = el("div", { class: "results-bar" }, yearForm, el("div", { class: "steps" }, prev, next));
  page.append(bar);
  if (isHr(ctx) || ctx.me.departmentCode) {
    const picker = await departmentPicker(ctx, kind === "department" ? code : "", (c) => go(year, "department", c));
    if (picker) bar.append(picker);
    bar.append(employeeForm(ctx, kind === "employee" ? code : "", (n) => go(year, "employee", n)));
  }
  if (!code) return;

  await guarded(ctx, page, async () => {
    const ranges = trendRanges(year);
    const all = [...ranges.months, ...ranges.quarters, ranges.year];
    const subject = { kind: kind === "employee"
      ? { case: "employeeNo" as const, value: code } : { case: "departmentCode" as const, value: code } };
    const reports: SubjectReport[] = await Promise.all(all.map((r) =>
      ctx.clients.report.getSubjectReport({ subject, ...rangeMsg(r) })));
    const name = reports[0]?.subject?.displayName || code;
    page.querySelector("h1")!.textContent =
      `${t.trend} · ${name} (${code}) · ${year}`;
    page.append(el("div", { class: "exports" },
      exportButton(t, t.downloadCsv, "trend", `trend-${kind}-${code}-${year}.csv`, () => exportAll(ctx, subject, all))),
      withheldNote(t));

    const row = (r: string, i: number): ScoreRow => ({ code: r, label: r, fig: reports[i].figures });
    const monthRows = ranges.months.map((r, i) => row(r, i));
    const restRows = [...ranges.quarters, ranges.year].map((r, i) => row(r, ranges.months.length + i));
    const split = el("div", { class: "results-split" });
    page.append(split);
    const charts = el("div", {});
    split.append(charts);
    charts.append(el("h2", {}, t.months));
    if (monthRows.length) scoreChart(charts, t, "trend-months", t.altTrend(name), monthRows, false, true);
    charts.append(el("h2", {}, `${t.quarters} · ${t.year}`));
    scoreChart(charts, t, "trend-quarters", t.altTrend(name), restRows, false);

    const rows = all.map((r, i) => el("tr", { "data-code": r },
      el("th", { scope: "row" }, r), ...figureCells(t, reports[i].figures)));
    split.append(scroller(t.trend, table("trend", `${t.trend} · ${name}`, [t.period, ...figureHeaders(t)], rows)));
  });
};

// The server's export of each range, one CSV: the header once.
async function* exportAll(ctx: PageContext, subject: any, ranges: string[]): AsyncGenerator<{ data: Uint8Array }> {
  const enc = new TextEncoder();
  for (let i = 0; i < ranges.length; i++) {
    const dec = new TextDecoder();
    let text = "";
    for await (const chunk of ctx.clients.report.exportReport({
      view: { case: "subject", value: { subject, ...rangeMsg(ranges[i]) } } })) {
      text += dec.decode(chunk.data, { stream: true });
    }
    text += dec.decode();
    if (i > 0) text = text.slice(text.indexOf("\n") + 1);
    yield { data: enc.encode(text) };
  }
}
