// Shared pieces of the results pages: the period in the URL, figure cells
// that show a withheld figure's reason (never blank, never 0), the
// server's refusal, tables, the CSV export button and the score chart
// with 95 % error bars.
import { Code, ConnectError } from "@connectrpc/connect";
import { StaffRole } from "../../gen/survey/v1/admin_pb";
import { Suppression, type Figure, type PeriodRange } from "../../gen/survey/v1/common_pb";
import type { Figures } from "../../gen/survey/v1/report_pb";
import { drawChart, WITHHELD_COLOR, WITHHELD_DECAL, type ChartOption } from "../charts";
import { resultsTexts, type ResultsTexts } from "../i18n_results";
import type { PageContext } from "../page";

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

export const textsOf = (ctx: PageContext): ResultsTexts => resultsTexts[ctx.lang];
export const isHr = (ctx: PageContext) =>
  ctx.me.role === StaffRole.HR || ctx.me.role === StaffRole.ADMIN;

// ------------------------------------------------------------- periods --

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const QUARTER = /^(\d{4})-Q([1-4])$/;
const YEAR = /^(\d{4})$/;

export function parseRange(s: string): PeriodRange["range"] | undefined {
  if (MONTH.test(s)) return { case: "month", value: s };
  if (QUARTER.test(s)) return { case: "quarter", value: s };
  if (YEAR.test(s)) return { case: "year", value: s };
  return undefined;
}

export const rangeMsg = (s: string) => ({ range: { range: parseRange(s) ?? { case: undefined } } });

// The same kind of period before (-1) or after (+1) `s`.
export function shiftRange(s: string, by: number): string {
  let m = MONTH.exec(s);
  if (m) {
    const i = Number(m[1]) * 12 + Number(m[2]) - 1 + by;
    return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`;
  }
  m = QUARTER.exec(s);
  if (m) {
    const i = Number(m[1]) * 4 + Number(m[2]) - 1 + by;
    return `${Math.floor(i / 4)}-Q${(i % 4) + 1}`;
  }
  return String(Number(s) + by);
}

// Last month: the demo's and the usual monthly survey's closed campaign.
export function defaultRange(now = new Date()): string {
  return shiftRange(`${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, "0")}`, -1);
}

// The period to show: ?range=, else the period of ?campaign= (HR may read
// campaigns; for others the campaign cannot be looked up), else last month.
export async function chosenRange(ctx: PageContext): Promise<string> {
  const r = ctx.params.get("range") ?? "";
  if (parseRange(r)) return r;
  const id = ctx.params.get("campaign");
  if (id && isHr(ctx)) {
    try {
      return (await ctx.clients.admin.getCampaign({ id })).period;
    } catch {
      // Fall through: the campaign picker shows what the server allows.
    }
  }
  return defaultRange();
}

// A path with the query replaced by `params` (keys with "" are dropped).
export function pathWith(route: string[], params: Record<string, string>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return "/" + route.map(encodeURIComponent).join("/") + (s ? `?${s}` : "");
}

// ------------------------------------------------------------- figures --

export const released = (f: Figure | undefined): boolean =>
  f !== undefined && f.suppression === Suppression.NONE;

export function withheldReason(t: ResultsTexts, f: Figure | undefined, k: number): string {
  const s = f?.suppression ?? Suppression.NO_DATA;
  return (t.withheld[s] ?? t.withheld[Suppression.NO_DATA])(k);
}

export const fmtScore = (v: number) => v.toFixed(1);
export const fmtCount = (v: number) => String(Math.round(v));
export const fmtShare = (v: number) => `${(v * 100).toFixed(1)} %`;
export const fmtSigned = (v: number) => (v > 0 ? "+" : "") + v.toFixed(1);

// A table cell of one figure: the value (data-value holds it unrounded)
// or the reason it is withheld (data-withheld holds the Suppression).
export function figCell(t: ResultsTexts, field: string, f: Figure | undefined, k: number,
                        fmt: (v: number) => string): HTMLTableCellElement {
  if (f && released(f)) {
    return el("td", { "data-field": field, "data-value": String(f.value), class: "num" }, fmt(f.value));
  }
  const s = f?.suppression ?? Suppression.NO_DATA;
  return el("td", { "data-field": field, "data-withheld": String(s), class: "withheld" },
    withheldReason(t, f, k));
}

export function ciCell(t: ResultsTexts, fig: Figures | undefined): HTMLTableCellElement {
  if (fig && released(fig.total) && fig.ci95) {
    const { low, high } = fig.ci95;
    return el("td", { "data-field": "ci95", "data-low": String(low), "data-high": String(high), class: "num" },
      `${fmtScore(low)} – ${fmtScore(high)}`);
  }
  if (fig && released(fig.total)) return el("td", { "data-field": "ci95" }, "—");  // not computed
  return figCell(t, "ci95", fig?.total, fig?.k ?? 0, fmtScore);
}

export const figureHeaders = (t: ResultsTexts) =>
  [t.responses, t.invitations, t.rate, t.total, t.ci, t.stddev, t.change];

// The usual cells of a Figures, in the order of figureHeaders.
export function figureCells(t: ResultsTexts, fig: Figures | undefined): HTMLTableCellElement[] {
  const k = fig?.k ?? 0;
  return [
    figCell(t, "responses", fig?.responses, k, fmtCount),
    figCell(t, "invitations", fig?.invitations, k, fmtCount),
    figCell(t, "response_rate", fig?.responseRate, k, fmtShare),
    figCell(t, "total", fig?.total, k, fmtScore),
    ciCell(t, fig),
    figCell(t, "stddev", fig?.stddev, k, fmtScore),
    figCell(t, "change_vs_previous", fig?.changeVsPrevious, k, fmtSigned),
  ];
}

export function table(name: string, caption: string, headers: string[],
                      rows: HTMLTableRowElement[]): HTMLTableElement {
  const head = el("tr", {}, ...headers.map((h) => el("th", { scope: "col" }, h)));
  return el("table", { class: "results", "data-table": name },
    el("caption", {}, caption), el("thead", {}, head), el("tbody", {}, ...rows));
}

// A scrollable region for wide tables (keyboard-reachable, labelled).
export function scroller(label: string, child: Node): HTMLElement {
  return el("div", { class: "table-scroll", role: "region", "aria-label": label, tabindex: "0" }, child);
}

// -------------------------------------------------------------- errors --

const codeNames: Record<number, string> = {
  [Code.PermissionDenied]: "PERMISSION_DENIED", [Code.NotFound]: "NOT_FOUND",
  [Code.Unauthenticated]: "UNAUTHENTICATED", [Code.InvalidArgument]: "INVALID_ARGUMENT",
  [Code.Unavailable]: "UNAVAILABLE", [Code.FailedPrecondition]: "FAILED_PRECONDITION",
  [Code.Unimplemented]: "UNIMPLEMENTED", [Code.ResourceExhausted]: "RESOURCE_EXHAUSTED",
};

export function reasonOf(err: ConnectError): string {
  return err.metadata.get("reason") ?? codeNames[err.code] ?? Code[err.code] ?? "UNKNOWN";
}

// The server's refusal as it gave it: its reason and message.
export function refusal(t: ResultsTexts, e: unknown): HTMLElement {
  const err = ConnectError.from(e);
  const reason = reasonOf(err);
  return el("div", { class: "refusal", role: "alert", "data-code": Code[err.code] ?? String(err.code),
    "data-reason": reason },
    el("p", {}, el("strong", {}, t.refused)),
    el("p", {}, `${t.reasonLabel}: `, el("code", {}, reason)),
    ...(err.rawMessage ? [el("p", {}, err.rawMessage)] : []));
}

// -------------------------------------------------------------- export --

// A button that streams a server export (ReportService.ExportReport or
// ExportResponses) and offers the text as a file.
export function exportButton(t: ResultsTexts, label: string, name: string, filename: string,
                             stream: () => AsyncIterable<{ data: Uint8Array }>): HTMLElement {
  const status = el("span", { class: "export-status", role: "status" });
  const button = el("button", { type: "button", "data-export": name }, label);
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.textContent = t.downloading;
    try {
      const parts: Uint8Array[] = [];
      let bytes = 0;
      for await (const chunk of stream()) {
        parts.push(chunk.data);
        bytes += chunk.data.length;
      }
      const blob = new Blob(parts as BlobPart[], { type: "text/csv;charset=utf-8" });
      const a = el("a", { href: URL.createObjectURL(blob), download: filename });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 60000);
      status.textContent = t.downloaded(bytes);
      status.dataset.bytes = String(bytes);
    } catch (e) {
      const err = ConnectError.from(e);
      status.textContent = `${t.exportFailed}: ${reasonOf(err)}`;
      status.dataset.reason = reasonOf(err);
    } finally {
      button.disabled = false;
    }
  });
  return el("div", { class: "export" }, button, status);
}

// ------------------------------------------------------- score charts --

export interface ScoreRow {
  code: string;
  label: string;
  fig: Figures | undefined;
}

// Scores on the 100-point scale with their 95 % intervals as error bars.
// Withheld rows get a grey hatched band across the axis labelled with the
// reason (its length is not a value; the tooltip and table say so).
// `horizontal` ranks top-down (rank 1 first); otherwise the categories run
// left to right as a line (trend) or bars.
export function scoreChart(parent: HTMLElement, t: ResultsTexts, name: string, alt: string,
                           rows: ScoreRow[], horizontal: boolean, line = false) {
  const labels = rows.map((r) => r.label);
  const ok = rows.map((r) => released(r.fig?.total));
  const main = rows.map((r, i) => (ok[i] ? r.fig!.total!.value : "-"));
  const bars = rows.flatMap((r, i) =>
    ok[i] && r.fig?.ci95 ? [[i, r.fig.ci95.low, r.fig.ci95.high]] : []);
  const hidden = rows.map((r, i) => ok[i] ? "-" : {
    value: 100, reason: withheldReason(t, r.fig?.total, r.fig?.k ?? 0),
    short: t.withheldShort[r.fig?.total?.suppression ?? Suppression.NO_DATA] ?? "",
  });
  const valueAxis = { type: "value" as const, min: 0, max: 100, name: horizontal ? "" : t.total };
  const categoryAxis = {
    type: "category" as const, data: labels, inverse: horizontal,
    axisLabel: { interval: 0, width: 140, overflow: "truncate" as const, rotate: horizontal ? 0 : 30 },
  };
  const option: ChartOption = {
    grid: horizontal ? { left: 150, right: 24, top: 24, bottom: 40 } : { left: 48, right: 16, top: 32, bottom: 72 },
    tooltip: { trigger: "item" },
    xAxis: horizontal ? valueAxis : categoryAxis,
    yAxis: horizontal ? categoryAxis : valueAxis,
    series: [
      {
        name: t.total, id: "total", type: line ? "line" : "bar", data: main, barWidth: "55%",
        connectNulls: false, symbolSize: 8,
        // Inside the bar, clear of the error bar; a line's points carry
        // none (the table beside has every figure).
        label: { show: !line, position: horizontal ? "insideLeft" : "insideBottom", color: "#fff",
          formatter: (p: any) => fmtScore(Number(p.value)) },
      } as any,
      {
        name: t.ci, id: "ci95", type: "custom", data: bars, z: 10,
        encode: horizontal ? { x: [1, 2], y: 0 } : { x: 0, y: [1, 2] },
        tooltip: { formatter: (p: any) => `${labels[p.value[0]]}: ${t.ci} ${fmtScore(p.value[1])} – ${fmtScore(p.value[2])}` },
        renderItem: (_params: any, api: any) => {
          const i = api.value(0);
          const lo = horizontal ? api.coord([api.value(1), i]) : api.coord([i, api.value(1)]);
          const hi = horizontal ? api.coord([api.value(2), i]) : api.coord([i, api.value(2)]);
          const cap = (horizontal ? api.size([0, 1])[1] : api.size([1, 0])[0]) * 0.25;
          const style = { stroke: "#1b1b1b", lineWidth: 1.5 };
          const capAt = (p: number[]) => horizontal
            ? { x1: p[0], y1: p[1] - cap, x2: p[0], y2: p[1] + cap }
            : { x1: p[0] - cap, y1: p[1], x2: p[0] + cap, y2: p[1] };
          return { type: "group", children: [
            { type: "line", shape: { x1: lo[0], y1: lo[1], x2: hi[0], y2: hi[1] }, style },
            { type: "line", shape: capAt(lo), style },
            { type: "line", shape: capAt(hi), style },
          ] };
        },
      } as any,
      {
        name: "withheld", id: "withheld", type: "bar", data: hidden, barWidth: "55%",
        barGap: "-100%", silent: false,
        itemStyle: { color: WITHHELD_COLOR, decal: WITHHELD_DECAL },
        label: { show: true, position: horizontal ? "insideLeft" : "inside", color: "#1b1b1b",
          backgroundColor: "rgba(255,255,255,0.85)", padding: [1, 3],
          rotate: horizontal ? 0 : 90, formatter: (p: any) => (horizontal ? p.data.reason : p.data.short) },
        tooltip: { formatter: (p: any) => `${labels[p.dataIndex]}: ${p.data.reason}` },
      } as any,
    ],
  };
  const height = horizontal ? Math.max(160, rows.length * 28 + 70) : 320;
  const box = drawChart(parent, name, alt, option, height, (opt: any) => {
    const [s0, s1, s2] = opt.series;
    const ci = new Map<number, number[]>();
    for (const v of s1.data) ci.set(v[0], [v[1], v[2]]);
    return rows.map((r, i) => ({
      code: r.code,
      total: s0.data[i] === "-" ? null : s0.data[i],
      ci95: ci.get(i) ?? null,
      withheld: s2.data[i] === "-" ? null : s2.data[i].reason,
    }));
  });
  return box;
}

// A short note under charts: what the hatched marks mean.
export const withheldNote = (t: ResultsTexts) => el("p", { class: "results-note" }, t.withheldNote);

// ---------------------------------------------------------- the toolbar --

export type ResultsView = "org" | "department" | "employee" | "trend" | "cross";

// Tabs between the results views, kept on the same period. A view the
// role cannot use is still reachable: the server's answer decides.
export function tabs(ctx: PageContext, current: ResultsView, range: string): HTMLElement {
  const t = textsOf(ctx);
  const views: ResultsView[] = isHr(ctx) ? ["org", "department", "employee", "trend", "cross"]
    : ctx.me.role === StaffRole.MANAGER ? ["department", "employee", "trend", "cross"]
    : ["employee", "trend"];
  const q = new URLSearchParams();
  q.set("range", range);
  const campaign = ctx.params.get("campaign");
  if (campaign) q.set("campaign", campaign);
  const nav = el("nav", { class: "results-tabs", "aria-label": t.results });
  for (const v of views) {
    const a = el("a", { href: `#/results/${v}?${q}` }, t[v]);
    if (v === current) a.setAttribute("aria-current", "page");
    nav.append(a);
  }
  return nav;
}

// The period form (with previous/next) and, for HR, the campaign picker;
// both navigate, so the choice is in the URL.
export function periodBar(ctx: PageContext, range: string, extra: Record<string, string> = {}): HTMLElement {
  const t = textsOf(ctx);
  const go = (r: string, campaign = "") =>
    ctx.navigate(pathWith(ctx.route, { ...extra, range: r, campaign }));
  const input = el("input", { id: "results-range", name: "range", value: range, size: "10",
    "aria-describedby": "results-range-hint", autocomplete: "off" });
  const hint = el("span", { id: "results-range-hint", class: "hint" }, t.rangeHint);
  const form = el("form", { class: "period-bar" },
    el("label", { for: "results-range" }, t.range), input,
    el("button", { type: "submit" }, t.show), hint);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = input.value.trim();
    if (!parseRange(v)) {
      hint.textContent = t.rangeBad;
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    go(v);
  });
  const prev = el("button", { type: "button", "data-step": "-1" }, `‹ ${t.previous}`);
  const next = el("button", { type: "button", "data-step": "1" }, `${t.next} ›`);
  prev.addEventListener("click", () => go(shiftRange(range, -1)));
  next.addEventListener("click", () => go(shiftRange(range, 1)));
  const bar = el("div", { class: "results-bar" }, form, el("div", { class: "steps" }, prev, next));
  if (isHr(ctx)) void campaignPicker(ctx, bar, go);
  return bar;
}

async function campaignPicker(ctx: PageContext, bar: HTMLElement,
                              go: (r: string, campaign: string) => void) {
  const t = textsOf(ctx);
  try {
    const { campaigns } = await ctx.clients.admin.listCampaigns({});
    const select = el("select", { id: "results-campaign", name: "campaign" },
      el("option", { value: "" }, t.anyCampaign));
    const chosen = ctx.params.get("campaign") ?? "";
    for (const c of campaigns) {
      const title = (ctx.lang === "zh" ? c.title?.zh || c.title?.en : c.title?.en || c.title?.zh) ?? c.id;
      const o = el("option", { value: c.id, "data-period": c.period }, `${c.period} · ${title}`);
      if (c.id === chosen) o.selected = true;
      select.append(o);
    }
    select.addEventListener("change", () => {
      const o = select.selectedOptions[0];
      if (o?.value) go(o.dataset.period ?? "", o.value);
    });
    bar.append(el("div", { class: "campaign-pick" },
      el("label", { for: "results-campaign" }, t.campaign), select));
  } catch {
    // Not listed: the period form is enough.
  }
}

// Runs `draw` and shows the server's refusal in `root` if it throws.
export async function guarded(ctx: PageContext, root: HTMLElement, draw: () => Promise<void>) {
  try {
    await draw();
  } catch (e) {
    root.append(refusal(textsOf(ctx), e));
  }
}

export function heading(ctx: PageContext, title: string, range: string): HTMLElement {
  return el("h1", { tabindex: "-1" }, `${title} · ${range}`);
}

// The pages' own styles, in results.css beside the console's files (the
// console's Content-Security-Policy allows no inline style element).
export function ensureStyle() {
  if (document.getElementById("results-style")) return;
  document.head.append(el("link", { id: "results-style", rel: "stylesheet", href: "results.css" }));
}
