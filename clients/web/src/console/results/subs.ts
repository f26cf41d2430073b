// The nine sub-indicators of a released cell: a radar of their means, the
// 1–10 distribution of each as stacked bars, and a table with both. A
// withheld cell has no sub-indicators (the server sends none): the page
// says why instead of drawing an empty chart.
import { Suppression } from "../../gen/survey/v1/common_pb";
import type { Figures, SubIndicatorFigures } from "../../gen/survey/v1/report_pb";
import { drawChart, WITHHELD_COLOR, WITHHELD_DECAL } from "../charts";
import { keyLabel } from "../i18n_results";
import type { PageContext } from "../page";
import {
  el, figCell, fmtCount, fmtScore, refusal, released, scroller, table, textsOf, withheldReason,
} from "./common";

// Red (1) to green (10): the scale's bands read at a glance.
const SCORE_COLORS = ["#8b1a1a", "#b22222", "#d2502d", "#e07b39", "#e8a33d", "#d8c24a",
  "#a9c25a", "#6fae5b", "#3f9556", "#1f7a4a"];

export function subIndicatorSection(ctx: PageContext, parent: HTMLElement, who: string,
                                    fig: Figures | undefined, name: string) {
  const t = textsOf(ctx);
  parent.append(el("h2", {}, t.subIndicators));
  const subs: { ind: string; sub: SubIndicatorFigures }[] = [];
  for (const ind of fig?.indicators ?? []) for (const sub of ind.subIndicators) subs.push({ ind: ind.key, sub });
  if (!released(fig?.total) || subs.length === 0) {
    const s = fig?.total?.suppression ?? Suppression.NO_DATA;
    parent.append(el("div", { class: "withheld-box", "data-withheld": String(s), "data-chart": `${name}-radar` },
      withheldReason(t, fig?.total, fig?.k ?? 0)));
    return;
  }
  const labels = subs.map((s) => keyLabel(s.sub.key, ctx.lang));
  const split = el("div", { class: "results-split" });
  parent.append(split);
  const charts = el("div", {});
  split.append(charts);

  const means = subs.map((s) => (released(s.sub.mean) ? s.sub.mean!.value : null));
  drawChart(charts, `${name}-radar`, t.altRadar(who), {
    tooltip: { trigger: "item" },
    radar: { indicator: labels.map((l) => ({ name: l, max: 10, min: 0 })), radius: "62%",
      axisName: { color: "#1b1b1b" } },
    series: [{ type: "radar", name: t.mean, areaStyle: { opacity: 0.15 },
      data: [{ name: who, value: means.map((m) => m ?? 0) }] }],
  }, 320, (opt: any) => subs.map((s, i) => ({ key: s.sub.key, mean: opt.series[0].data[0].value[i] })));

  const dist = subs.map((s) => s.sub.distribution.map((c) => Number(c)));
  const hasDist = dist.some((d) => d.length === 10);
  if (hasDist) {
    drawChart(charts, `${name}-distribution`, t.altDistribution(who), {
      tooltip: { trigger: "item" },
      legend: { top: 0, itemWidth: 14, data: Array.from({ length: 10 }, (_, i) => String(i + 1)) },
      grid: { left: 130, right: 16, top: 40, bottom: 30 },
      xAxis: { type: "value", name: t.responses },
      yAxis: { type: "category", data: labels, inverse: true, axisLabel: { width: 120, overflow: "truncate" } },
      series: Array.from({ length: 10 }, (_, score) => ({
        type: "bar" as const, name: String(score + 1), stack: "d", color: SCORE_COLORS[score],
        data: dist.map((d) => (d.length === 10 ? d[score] : { value: 0, itemStyle: { color: WITHHELD_COLOR, decal: WITHHELD_DECAL } })),
      })),
    }, Math.max(260, subs.length * 30 + 80), (opt: any) =>
      subs.map((s, i) => ({ key: s.sub.key, counts: opt.series.map((x: any) => {
        const v = x.data[i];
        return typeof v === "object" ? null : v;
      }) })));
  } else {
    charts.append(el("p", { class: "results-note" }, t.distributionMissing));
  }

  const k = fig?.k ?? 0;
  const rows = subs.map((s, i) => el("tr", { "data-key": s.sub.key },
    el("td", {}, keyLabel(s.ind, ctx.lang)),
    el("th", { scope: "row" }, labels[i]),
    figCell(t, "mean", s.sub.mean, k, (v) => v.toFixed(2)),
    ...Array.from({ length: 10 }, (_, score) => dist[i].length === 10
      ? el("td", { class: "num", "data-field": `d${score + 1}`, "data-value": String(dist[i][score]) },
        fmtCount(dist[i][score]))
      : figCell(t, `d${score + 1}`, undefined, k, fmtCount))));
  const indRows = (fig?.indicators ?? []).map((ind) => el("tr", { "data-key": ind.key },
    el("th", { scope: "row" }, keyLabel(ind.key, ctx.lang)),
    figCell(t, "mean", ind.mean, k, (v) => v.toFixed(2)),
    figCell(t, "weighted", ind.weightedScore, k, fmtScore)));
  split.append(el("div", {},
    scroller(t.subIndicators, table(`${name}-subs`, `${t.subIndicators} · ${t.distribution}`,
      [t.indicator, t.subIndicator, t.mean, ...Array.from({ length: 10 }, (_, i) => `${i + 1}${t.score}`)], rows)),
    scroller(t.indicator, table(`${name}-indicators`, t.indicator, [t.indicator, t.mean, t.weighted], indRows))));
}

// Released comments, or why there are none.
export async function commentsSection(ctx: PageContext, parent: HTMLElement,
                                      subject: { case: "employeeNo" | "departmentCode"; value: string },
                                      range: { range: any }) {
  const t = textsOf(ctx);
  const box = el("section", { class: "comments", "data-comments": "" }, el("h2", {}, t.comments));
  parent.append(box);
  try {
    const r = await ctx.clients.report.getComments({ subject: { kind: subject }, ...range });
    if (r.suppression !== Suppression.NONE) {
      box.append(el("p", { class: "withheld-box", "data-withheld": String(r.suppression) },
        t.commentsWithheld[r.suppression] ?? t.withheld[Suppression.NO_DATA](0)));
    } else if (r.comments.length === 0) {
      box.append(el("p", {}, t.noComments));
    } else {
      box.append(el("ul", {}, ...r.comments.map((c) => el("li", {}, c))));
    }
  } catch (e) {
    box.append(refusal(t, e));
  }
}
