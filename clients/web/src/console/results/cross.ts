// #/results/cross[/RATED]?range=…: the cross-evaluation matrix, rated ×
// evaluating department, as a heat map of the 100-point score and a table.
// Without RATED the server answers what the caller may see (HR: every
// department; a manager: their own).
import { Suppression } from "../../gen/survey/v1/common_pb";
import type { Figures } from "../../gen/survey/v1/report_pb";
import { drawChart, WITHHELD_COLOR, WITHHELD_DECAL } from "../charts";
import type { Page } from "../page";
import {
  chosenRange, el, exportButton, figCell, fmtCount, fmtScore, guarded, heading, periodBar, rangeMsg,
  released, scroller, table, tabs, textsOf, withheldNote, withheldReason,
} from "./common";

export const crossPage: Page = async (root, ctx) => {
  const t = textsOf(ctx);
  const range = await chosenRange(ctx);
  const rated = ctx.route[2] ?? "";
  const page = el("section", { class: "results-page", "data-view": "cross", "data-range": range,
    "data-rated": rated });
  root.replaceChildren(page);
  page.append(tabs(ctx, "cross", range), heading(ctx, rated ? `${t.cross} · ${rated}` : t.cross, range),
    periodBar(ctx, range));
  await guarded(ctx, page, async () => {
    const report = await ctx.clients.report.getCrossEvaluationReport({ ratedDepartmentCode: rated, ...rangeMsg(range) });
    page.append(el("div", { class: "exports" },
      exportButton(t, t.downloadCsv, "cross_evaluation", `cross-${rated || "all"}-${range}.csv`,
        () => ctx.clients.report.exportReport({ view: { case: "crossEvaluation",
          value: { ratedDepartmentCode: rated, ...rangeMsg(range) } } }))),
      withheldNote(t));

    const names = new Map<string, string>();
    try {
      for (const d of (await ctx.clients.admin.listDepartments({})).departments) names.set(d.code, d.name);
    } catch {
      // Codes alone then: a manager may list only their own department.
    }
    const label = (c: string) => (names.has(c) ? `${names.get(c)} (${c})` : c);
    const rows = report.rows;
    const evaluators = [...new Set(rows.flatMap((r) => r.byEvaluator.map((c) => c.evaluatingDepartmentCode)))].sort();
    const columns = [...evaluators, t.overall];
    const cell = (ri: number, ci: number): Figures | undefined => ci === evaluators.length
      ? rows[ri].overall
      : rows[ri].byEvaluator.find((c) => c.evaluatingDepartmentCode === evaluators[ci])?.figures;

    // Released cells carry the score; withheld ones a grey hatched cell
    // labelled with the reason. A pair that was never asked is left out.
    const shown: [number, number, number][] = [];
    const hidden: { value: [number, number, number]; reason: string; short: string }[] = [];
    rows.forEach((_, ri) => columns.forEach((_, ci) => {
      const f = cell(ri, ci);
      if (f === undefined) return;
      if (released(f.total)) shown.push([ci, ri, Number(f.total!.value.toFixed(1))]);
      else {
        const s = f.total?.suppression ?? Suppression.NO_DATA;
        hidden.push({ value: [ci, ri, 0], reason: withheldReason(t, f.total, f.k), short: t.withheldShort[s] ?? "" });
      }
    }));
    if (rows.length > 0) {
      const values = shown.map((v) => v[2]);
      drawChart(page, "cross-heatmap", t.altHeatmap(rows.length), {
        tooltip: { trigger: "item" },
        grid: { left: 150, right: 90, top: 16, bottom: 100 },
        xAxis: { type: "category", data: columns.map((c, i) => (i === evaluators.length ? c : label(c))),
          name: t.evaluating, nameLocation: "middle", nameGap: 70,
          axisLabel: { interval: 0, rotate: 30, width: 110, overflow: "truncate" } },
        yAxis: { type: "category", data: rows.map((r) => label(r.ratedDepartmentCode)), inverse: true,
          axisLabel: { width: 140, overflow: "truncate" } },
        // Heat map series need a visual map each: the scores' scale, and
        // one grey for the withheld cells (their label says why).
        visualMap: [
          { min: values.length ? Math.floor(Math.min(...values) / 5) * 5 : 0, max: 100,
            seriesIndex: 0, calculable: false, orient: "vertical", right: 8, top: "middle",
            itemHeight: 120, text: ["100", ""], inRange: { color: ["#f3e3c3", "#9cc5a1", "#1f6e43"] } },
          { type: "piecewise", seriesIndex: 1, show: false,
            pieces: [{ min: -1, max: 1, color: WITHHELD_COLOR }] },
        ],
        series: [
          { type: "heatmap", name: t.total, data: shown,
            label: { show: true, formatter: (p: any) => fmtScore(p.value[2]) } },
          { type: "heatmap", name: "withheld", data: hidden as any,
            itemStyle: { color: WITHHELD_COLOR, decal: WITHHELD_DECAL, borderColor: "#fff", borderWidth: 1 },
            label: { show: true, color: "#1a1a1a", formatter: (p: any) => p.data.short },
            tooltip: { formatter: (p: any) => p.data.reason } } as any,
        ],
      }, Math.max(240, rows.length * 44 + 140), (opt: any) => ({
        columns: evaluators.concat(["overall"]),
        rows: rows.map((r) => r.ratedDepartmentCode),
        released: opt.series[0].data,
        withheld: opt.series[1].data.map((d: any) => [d.value[0], d.value[1], d.reason]),
      }));
    }

    const head = [t.rated, ...columns.map((c, i) => (i === evaluators.length ? c : label(c))), t.responses];
    const trs = rows.map((r, ri) => el("tr", { "data-code": r.ratedDepartmentCode },
      el("th", { scope: "row" }, label(r.ratedDepartmentCode)),
      ...columns.map((_, ci) => {
        const f = cell(ri, ci);
        const td = f ? figCell(t, "total", f.total, f.k, fmtScore) : el("td", {}, "—");
        td.dataset.evaluator = ci === evaluators.length ? "overall" : evaluators[ci];
        return td;
      }),
      figCell(t, "responses", r.overall?.responses, r.overall?.k ?? 0, fmtCount)));
    page.append(scroller(t.cross, table("cross", `${t.cross} · ${t.total}`, head, trs)));
  });
};
