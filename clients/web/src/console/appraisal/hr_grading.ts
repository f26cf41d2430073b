// #/appraisal/grading?year=YYYY: HR's annual grading. The stored grades
// (GetAnnualGrading) or a run's (RunAnnualGrading, optionally a dry run):
// per grading unit a chart of the forced-distribution quotas against the
// grades given, with a table of the same figures; the provisional marker;
// who was skipped and why; every employee's grade with the payable
// year-end bonus (0 for grade E, as the server states it) beside the
// formula amount, which is information only.
import { Code, ConnectError } from "@connectrpc/connect";
import type { AnnualGradingResult, GradingUnitSummary } from "../../gen/survey/v1/appraisal_pb";
import { drawChart, disposeCharts } from "../charts";
import { el, field, refusal } from "../dom";
import { consoleTexts } from "../i18n";
import { hrAppraisalTexts, type HrAppraisalTexts } from "../i18n_hr_appraisal";
import type { Page, PageContext } from "../page";
import { companyZone, dataTable, ensureHrStyle, zoneTime } from "./hr_common";

const GRADES = ["A", "B", "C", "D", "E"];

function unitName(h: HrAppraisalTexts, name: string): string {
  return name === "(pooled)" ? h.pooledUnit : name === "(company)" ? h.companyUnit : name;
}

// The unit's section; its chart is drawn by `later` once the section is in
// the document (ECharts measures its container).
function unitPart(h: HrAppraisalTexts, u: GradingUnitSummary, i: number, later: (() => void)[]): HTMLElement {
  const name = unitName(h, u.name);
  const head = `unit-${i}-heading`;
  const section = el("section", { class: "grading-unit", "data-unit": u.name, "aria-labelledby": head },
    el("h3", { id: head }, h.unitCaption(name, u.size)),
    el("p", { class: "hint" }, `${h.department}: ${u.departments.join(", ") || "—"}`,
      u.belowMinimum ? ` · ${h.belowMinimum}` : ""));
  const quotas = GRADES.map((_, g) => u.quotas[g] ?? 0);
  const counts = GRADES.map((_, g) => u.counts[g] ?? 0);
  const pairs = (xs: number[]) => GRADES.map((g, k) => `${g} ${xs[k]}`).join(", ");
  const slot = el("div", { class: "chart-slot" });
  section.append(slot);
  later.push(() => drawChart(slot, `grading-${u.name}`, h.chartAlt(name, pairs(quotas), pairs(counts)), {
    tooltip: { trigger: "axis" },
    legend: { data: [h.quota, h.given], top: 0 },
    grid: { left: 40, right: 16, top: 32, bottom: 28 },
    xAxis: { type: "category", data: GRADES },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { type: "bar", name: h.quota, data: quotas, label: { show: true, position: "top" } },
      // Given: hatched as well as coloured, so the two differ without colour.
      { type: "bar", name: h.given, data: counts, label: { show: true, position: "top" },
        itemStyle: { decal: { symbol: "rect", dashArrayX: [1, 0], dashArrayY: [3, 3], rotation: -Math.PI / 4,
          color: "rgba(255,255,255,0.55)" } } },
    ],
  }, 220, (opt: any) => ({
    unit: u.name,
    quotas: opt.series.find((s: any) => s.name === h.quota)?.data ?? [],
    counts: opt.series.find((s: any) => s.name === h.given)?.data ?? [],
  })));
  section.append(dataTable(`unit-${u.name}`, h.unitCaption(name, u.size), [`${h.quota} / ${h.given}`, ...GRADES], [
    { data: { row: "quota" }, cells: [{ field: "label", text: h.quota },
      ...GRADES.map((g, k) => ({ field: `quota-${g}`, value: String(quotas[k]), num: true, text: String(quotas[k]) }))] },
    { data: { row: "given" }, cells: [{ field: "label", text: h.given },
      ...GRADES.map((g, k) => ({ field: `given-${g}`, value: String(counts[k]), num: true, text: String(counts[k]) }))] },
  ]));
  return section;
}

function resultPart(h: HrAppraisalTexts, r: AnnualGradingResult, zone: string, dry: boolean, later: (() => void)[]): HTMLElement {
  const box = el("div", { id: "grading-result", "data-year": r.year, "data-dry-run": dry ? "true" : "false",
    "data-provisional": r.provisional ? "true" : "false" });
  if (dry) box.append(el("p", { class: "partial", id: "dry-run-note" }, h.dryDone));
  box.append(
    el("p", { id: "grading-provisional", class: r.provisional ? "provisional" : "hint",
      "data-provisional": r.provisional ? "true" : "false" }, r.provisional ? h.provisional : h.final),
    el("p", { class: "hint" }, `${h.gradedAt}: ${zoneTime(r.gradedAtUnix, zone)}`,
      zone ? ` · ${h.timeZoneNote(zone)}` : "", ` · ${h.pooling}: ${r.pooling || "—"}`),
    el("p", { class: "hint" }, h.forcedDistribution));
  if (r.units.length) {
    const units = el("section", { "aria-labelledby": "units-heading", class: "grading-units" },
      el("h2", { id: "units-heading" }, h.units));
    r.units.forEach((u, i) => units.append(unitPart(h, u, i, later)));
    box.append(units);
  }
  const grades = el("section", { "aria-labelledby": "grades-heading" }, el("h2", { id: "grades-heading" }, h.employees),
    el("p", { class: "rule", id: "e-rule" }, h.eRule));
  grades.append(dataTable("grades", h.employees,
    [h.employeeNo, h.department, h.units, h.rank, h.annualCoefficient, h.grade, h.months, h.notFinal, h.payable,
      h.formula, h.flags],
    r.employees.map((g) => ({ data: { employee: g.employeeNo, grade: g.grade }, cells: [
      { field: "employee", value: g.employeeNo, text: g.employeeNo },
      { field: "department", value: g.departmentCode, text: g.departmentCode },
      { field: "unit", value: g.unit, text: unitName(h, g.unit) },
      { field: "rank", value: String(g.rank), num: true, text: String(g.rank) },
      { field: "coefficient", value: String(g.annualCoefficient), num: true, text: g.annualCoefficient.toFixed(4) },
      { field: "grade", value: g.grade, text: g.grade },
      { field: "months", value: String(g.months), num: true, text: String(g.months) },
      { field: "not-final", value: String(g.monthsNotFinal), num: true, text: String(g.monthsNotFinal) },
      { field: "payable", value: String(g.yearEndBonus), num: true, text: g.yearEndBonus.toFixed(2) },
      { field: "formula", value: String(g.yearEndBonusFormula), num: true, text: g.yearEndBonusFormula.toFixed(2) },
      { field: "flags", value: g.flags.join("|"), text: g.flags.map((f) => h.annualFlags[f] ?? f).join(" · ") || "—" },
    ] }))));
  box.append(grades);
  const skipped = el("section", { "aria-labelledby": "skipped-heading", id: "skipped" },
    el("h2", { id: "skipped-heading" }, `${h.skipped} (${r.skipped.length})`));
  if (r.skipped.length === 0) skipped.append(el("p", {}, h.noneSkipped));
  else {
    skipped.append(dataTable("skipped", h.skipped, [h.skippedWho, h.skippedWhy], r.skipped.map((s) => {
      const at = s.indexOf(": ");
      const who = at > 0 ? s.slice(0, at) : "";
      const why = at > 0 ? s.slice(at + 2) : s;
      return { data: { employee: who, text: s }, cells: [
        { field: "employee", value: who, text: who || "—" }, { field: "why", value: why, text: h.skippedWords(why) }] };
    })));
  }
  box.append(skipped);
  return box;
}

function runForm(ctx: PageContext, h: HrAppraisalTexts, year: string, show: (r: AnnualGradingResult, dry: boolean) => void): HTMLElement {
  const pooling = el("select", {}, el("option", { value: "department" }, h.poolingDepartment),
    el("option", { value: "company" }, h.poolingCompany));
  const completion = el("input", { type: "number", min: "0", max: "1000", step: "0.01", value: "100", inputmode: "decimal" });
  const factor = el("input", { type: "number", min: "0", max: "100", step: "0.0001", value: "1", inputmode: "decimal" });
  const dry = el("input", { type: "checkbox", id: "run-dry" });
  const status = el("div", { id: "run-status", class: "action-status", "aria-live": "polite" });
  const form = el("form", { id: "run-grading", class: "hr-filters", "aria-labelledby": "run-heading" },
    el("h2", { id: "run-heading" }, `${h.run} · ${year}`),
    field("run-pooling", h.pooling, pooling), field("run-completion", h.completion, completion),
    field("run-factor", h.bonusFactor, factor),
    el("div", { class: "check" }, dry, el("label", { for: "run-dry" }, h.dryRun)),
    el("button", { type: "submit", id: "run-submit" }, h.run), status);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void (async () => {
      status.replaceChildren();
      let r: AnnualGradingResult;
      try {
        r = await ctx.clients.appraisal.runAnnualGrading({ year, pooling: pooling.value,
          completionRatePercent: Number(completion.value || 0), bonusFactor: Number(factor.value || 0), dryRun: dry.checked });
      } catch (e) {
        status.replaceChildren(refusal(consoleTexts[ctx.lang], e));
        return;
      }
      show(r, dry.checked);
      const ok = el("p", { class: "ok", role: "status", tabindex: "-1" }, dry.checked ? h.dryDone : h.runDone);
      document.getElementById("run-status")?.replaceChildren(ok);
      ok.focus();
    })();
  });
  return form;
}

export const hrGradingPage: Page = async (root, ctx) => {
  ensureHrStyle();
  const h = hrAppraisalTexts[ctx.lang];
  const asked = ctx.params.get("year") ?? "";
  const year = /^\d{4}$/.test(asked) ? asked : String(new Date().getFullYear());
  const page = el("section", { class: "appraisal-page hr-page", "data-view": "hr-grading", "data-year": year });
  root.replaceChildren(page);
  const input = el("input", { type: "number", min: "2000", max: "2100", step: "1", value: year, required: true });
  const pick = el("form", { class: "month-pick", id: "grading-year" }, field("grading-year-input", h.year, input),
    el("button", { type: "submit" }, h.show));
  pick.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (/^\d{4}$/.test(input.value)) ctx.navigate(`/appraisal/grading?year=${input.value}`);
  });
  const body = el("div", { id: "grading-body", "aria-busy": "true" }, el("p", { role: "status" }, h.loading));
  const zone = await companyZone(ctx, `${year}-12`);
  const show = (r: AnnualGradingResult, dry: boolean) => {
    disposeCharts(body);
    const later: (() => void)[] = [];
    body.replaceChildren(resultPart(h, r, zone, dry, later));
    later.forEach((draw) => draw());
    body.setAttribute("aria-busy", "false");
  };
  page.append(el("h1", { tabindex: "-1" }, `${h.gradingTitle} · ${year}`), pick, runForm(ctx, h, year, show), body);
  try {
    show(await ctx.clients.appraisal.getAnnualGrading({ year }), false);
  } catch (e) {
    body.replaceChildren(ConnectError.from(e).code === Code.NotFound
      ? el("p", { id: "not-graded" }, h.notGraded) : refusal(consoleTexts[ctx.lang], e));
    body.setAttribute("aria-busy", "false");
  }
  return () => disposeCharts(page);
};
