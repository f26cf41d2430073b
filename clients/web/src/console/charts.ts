// ECharts for the results pages, from echarts/core with only the charts
// and components they draw (the whole library would triple the console's
// JavaScript). Canvas renderer, and tooltips drawn on the canvas
// (renderMode "richText"): the console's Content-Security-Policy allows
// no inline style, which the SVG renderer and HTML tooltips write, and an
// HTML tooltip would turn a name from the organisation into markup.
//
// Every chart is decoration over a table that carries the same figures:
// the container is role="img" with a text alternative, and records what
// was plotted (read back from ECharts) in data-plotted, so a test can
// compare the chart's data with the API without reading pixels.
import { BarChart, CustomChart, HeatmapChart, LineChart, RadarChart } from "echarts/charts";
import {
  GridComponent, LegendComponent, RadarComponent, TooltipComponent, VisualMapComponent,
} from "echarts/components";
import { getInstanceByDom, init, use, type ComposeOption, type ECharts } from "echarts/core";
import type {
  BarSeriesOption, CustomSeriesOption, HeatmapSeriesOption, LineSeriesOption, RadarSeriesOption,
} from "echarts/charts";
import type {
  GridComponentOption, LegendComponentOption, RadarComponentOption, TooltipComponentOption,
  VisualMapComponentOption,
} from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

use([BarChart, CustomChart, HeatmapChart, LineChart, RadarChart, GridComponent, LegendComponent,
  RadarComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

export type ChartOption = ComposeOption<
  BarSeriesOption | CustomSeriesOption | HeatmapSeriesOption | LineSeriesOption | RadarSeriesOption |
  GridComponentOption | LegendComponentOption | RadarComponentOption | TooltipComponentOption |
  VisualMapComponentOption>;

// Withheld cells: grey with diagonal hatching (a decal), so they differ
// from real bars by pattern and not by colour alone.
export const WITHHELD_COLOR = "#c8ccd2";
export const WITHHELD_DECAL = {
  symbol: "rect", symbolSize: 1, color: "rgba(60,64,70,0.55)",
  dashArrayX: [1, 0], dashArrayY: [2, 4], rotation: Math.PI / 4,
};
export const PALETTE = ["#1f5fa8", "#d9822b", "#2e8b57", "#8e44ad", "#c0392b", "#16a085",
  "#7f8c8d", "#b7950b", "#34495e"];

const live = new Set<ECharts>();
let resizeHooked = false;

// Draws `option` into a new container appended to `parent`. `alt` is the
// text alternative; `plotted` turns the chart's own option back into the
// figures the test compares with the API.
export function drawChart(parent: HTMLElement, name: string, alt: string, option: ChartOption,
                          height: number, plotted: (opt: any) => unknown): ECharts {
  const box = document.createElement("div");
  box.className = "chart";
  box.dataset.chart = name;
  box.setAttribute("role", "img");
  box.setAttribute("aria-label", alt);
  box.style.height = `${height}px`;
  parent.append(box);
  const chart = init(box, undefined, { renderer: "canvas" });
  const tooltip = { renderMode: "richText", confine: true, ...(option.tooltip as object ?? {}) };
  chart.setOption({ animation: false, color: PALETTE, ...option, tooltip });
  // The canvas has no text of its own: the container speaks for it.
  box.querySelector("canvas")?.setAttribute("aria-hidden", "true");
  box.dataset.plotted = JSON.stringify(plotted(chart.getOption()));
  live.add(chart);
  if (!resizeHooked) {
    resizeHooked = true;
    window.addEventListener("resize", () => live.forEach((c) => c.resize()));
  }
  return chart;
}

// Frees every chart under `root` (called when a page is left).
export function disposeCharts(root: HTMLElement) {
  root.querySelectorAll<HTMLElement>("div.chart").forEach((box) => {
    const c = getInstanceByDom(box);
    if (c) {
      live.delete(c);
      c.dispose();
    }
  });
}
