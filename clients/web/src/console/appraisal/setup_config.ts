// #/appraisal/config?month=YYYY-MM: HR's appraisal parameters of a month
// (GetPeriodConfig / SetPeriodConfig). The server fills a month without a
// configuration of its own from the latest earlier month that has one
// (PeriodConfig.configured_period), or from the built-in defaults; the page
// says which, and saving stores the month's own configuration, carried
// forward to later months until one has its own.
import { SheetTemplate, type PeriodConfig } from "../../gen/survey/v1/appraisal_pb";
import { el } from "../dom";
import type { Page, PageContext } from "../page";
import {
  SETUP_MONTH, ensureSetupStyle, setupDefaultMonth, setupDone, setupFrame, setupOk, setupRefusal,
  setupTexts, whereOf, zoneLine,
} from "./setup_common";

// The number fields by group, as the proto names them (snake_case); the
// message's property is the camelCase of the name.
const kConfigGroups: [string, string[]][] = [
  ["sections", ["management_kpi_goals_percent", "management_behaviour_percent", "management_ability_percent",
    "other_kpi_goals_percent", "other_behaviour_percent"]],
  ["satisfaction", ["satisfaction_weight_percent", "anonymity_k", "max_window_periods"]],
  ["department", ["dept_duties_percent", "dept_plan_percent", "dept_customer_percent"]],
  ["management", ["management_self_percent", "management_subordinates_percent", "management_superior_percent"]],
  ["customerService", ["morality_percent", "diligence_percent", "ability_percent", "performance_percent"]],
  ["yearEnd", ["year_end_checks_percent", "year_end_monthly_percent", "year_end_appraisal_percent"]],
  ["quarter", ["quarter_manager_percent", "quarter_member_percent"]],
  ["grading", ["min_grading_unit"]],
];

export const configCamel = (snake: string) => snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function capRow(ctx: PageContext, body: HTMLElement, key: string, yuan: string) {
  const s = setupTexts(ctx);
  const i = body.children.length + 1;
  body.append(el("tr", { "data-cap-row": String(i) },
    el("td", {}, el("input", { type: "text", id: `cap-key-${i}`, name: `cap-key-${i}`, value: key,
      "aria-label": s.capKeyOf(i), pattern: "[A-Za-z0-9_.\\-]+:[A-Za-z0-9_.\\-]+", autocomplete: "off" })),
    el("td", { class: "num" }, el("input", { type: "number", id: `cap-yuan-${i}`, name: `cap-yuan-${i}`, value: yuan,
      min: "0", step: "0.01", inputmode: "decimal", "aria-label": s.capYuanOf(i) }))));
}

function configForm(ctx: PageContext, month: string, c: PeriodConfig,
                    redraw: (note?: string) => Promise<void>): HTMLFormElement {
  const s = setupTexts(ctx);
  const values = c as unknown as Record<string, unknown>;
  const form = el("form", { id: "config-form", class: "setup-form", novalidate: true });
  const template = el("select", { id: "cfg-sheet_template", name: "sheet_template", "data-config": "sheet_template",
    "data-value": SheetTemplate[c.sheetTemplate] });
  for (const t of [SheetTemplate.STANDARD, SheetTemplate.CUSTOMER_SERVICE]) {
    template.append(el("option", { value: String(t), selected: c.sheetTemplate === t }, s.templates[t]));
  }
  form.append(el("div", { class: "setup-field" }, el("label", { for: "cfg-sheet_template" }, s.template), template));
  for (const [group, names] of kConfigGroups) {
    const set = el("fieldset", { "data-group": group }, el("legend", {}, s.groups[group]));
    for (const name of names) {
      const v = values[configCamel(name)];
      const value = v === undefined ? "" : String(v);
      set.append(el("div", { class: "setup-field" },
        el("label", { for: `cfg-${name}` }, s.fields[name] ?? name),
        el("input", { type: "number", id: `cfg-${name}`, name, "data-config": name, "data-value": value,
          value, step: "1", inputmode: "numeric", "aria-describedby": `cfg-${name}-error` }),
        el("span", { class: "field-error", id: `cfg-${name}-error` })));
    }
    form.append(set);
  }
  // Caps: one row per "post:grade", plus an empty row to add one.
  const capsBody = el("tbody", { id: "caps-body" });
  const caps = Object.entries(c.performanceCaps).sort(([a], [b]) => a.localeCompare(b));
  for (const [key, yuan] of caps) capRow(ctx, capsBody, key, String(yuan));
  capRow(ctx, capsBody, "", "");
  const add = el("button", { type: "button", id: "add-cap", class: "quiet" }, s.addCap);
  add.addEventListener("click", () => {
    capRow(ctx, capsBody, "", "");
    capsBody.querySelector<HTMLInputElement>("tr:last-child input")?.focus();
  });
  form.append(el("fieldset", { "data-group": "caps" }, el("legend", {}, s.groups.caps),
    el("p", { class: "hint", id: "caps-hint" }, s.capsHint),
    el("table", { "data-table": "caps", "aria-describedby": "caps-hint" },
      el("caption", { class: "sr" }, s.groups.caps),
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, s.capKey), el("th", { scope: "col", class: "num" }, s.capYuan))),
      capsBody), add));
  const status = el("div", { class: "action-status", id: "config-status", "aria-live": "polite" });
  form.append(el("button", { type: "submit", id: "save-config" }, s.save), status);

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void (async () => {
      status.replaceChildren();
      form.querySelectorAll("[aria-invalid]").forEach((n) => n.removeAttribute("aria-invalid"));
      form.querySelectorAll(".field-error").forEach((n) => n.replaceChildren());
      const next: Record<string, unknown> = { period: month, sheetTemplate: Number(template.value) };
      for (const input of form.querySelectorAll<HTMLInputElement>("input[data-config]")) {
        const name = input.name;
        if (input.value.trim() === "") continue;  // unset: the server's default
        const n = Number(input.value);
        if (!Number.isInteger(n)) {
          input.setAttribute("aria-invalid", "true");
          status.replaceChildren(el("p", { class: "refusal", role: "alert" }, s.badNumber(s.fields[name] ?? name)));
          input.focus();
          return;
        }
        next[configCamel(name)] = n;
      }
      const capsOut: Record<string, number> = {};
      let row = 0;
      for (const tr of capsBody.querySelectorAll("tr")) {
        row++;
        const [k, y] = tr.querySelectorAll("input");
        const key = k.value.trim();
        if (key === "") continue;
        if (!/^[^:\s]+:[^:\s]+$/.test(key) || y.value.trim() === "" || !Number.isFinite(Number(y.value))) {
          k.setAttribute("aria-invalid", "true");
          status.replaceChildren(el("p", { class: "refusal", role: "alert" }, s.badCapKey(row)));
          k.focus();
          return;
        }
        capsOut[key] = Number(y.value);
      }
      next.performanceCaps = capsOut;
      try {
        await ctx.clients.appraisal.setPeriodConfig(next);
      } catch (e) {
        // The server's reason at the form, and at the field it names.
        status.replaceChildren(setupRefusal(ctx, e));
        const field = whereOf(e).field.replace(/\[.*$/, "");
        const input = form.querySelector<HTMLInputElement>(`[data-config="${CSS.escape(field)}"]`);
        if (input) {
          input.setAttribute("aria-invalid", "true");
          form.querySelector(`#cfg-${CSS.escape(field)}-error`)?.replaceChildren(setupRefusal(ctx, e));
          input.focus();
        } else {
          (status.firstElementChild as HTMLElement | null)?.setAttribute("tabindex", "-1");
          (status.firstElementChild as HTMLElement | null)?.focus();
        }
        return;
      }
      await redraw(s.saved);
    })();
  });
  return form;
}

export const configPage: Page = async (root, ctx) => {
  ensureSetupStyle();
  const s = setupTexts(ctx);
  const asked = ctx.params.get("month") ?? "";
  const month = SETUP_MONTH.test(asked) ? asked : setupDefaultMonth();
  const { page, body } = setupFrame(ctx, "config", s.configTitle, { name: "month", value: month });
  root.replaceChildren(page);
  const redraw = async (note?: string) => {
    let c: PeriodConfig;
    try {
      c = await ctx.clients.appraisal.getPeriodConfig({ period: month });
    } catch (e) {
      body.replaceChildren(setupRefusal(ctx, e));
      setupDone(body);
      return;
    }
    const from = c.configuredPeriod;
    const source = from === month ? s.own(month) : from ? s.carried(from, month) : s.defaults(month);
    body.replaceChildren(
      el("dl", { class: "facts", id: "config-summary" },
        el("div", { class: "fact" }, el("dt", {}, s.source),
          el("dd", { "data-field": "configured-period", "data-value": from }, s.sourceValue(from))),
        el("div", { class: "fact" }, el("dt", {}, s.timeZone),
          el("dd", { "data-field": "time-zone", "data-value": c.timeZone }, c.timeZone || "—"))),
      el("p", { class: "hint", id: "config-source", "data-carried": from && from !== month ? "true" : "false" }, source),
      zoneLine(ctx, c.timeZone),
      configForm(ctx, month, c, redraw));
    setupDone(body);
    if (note) setupOk(body.querySelector<HTMLElement>("#config-status")!, note);
  };
  await redraw();
};
