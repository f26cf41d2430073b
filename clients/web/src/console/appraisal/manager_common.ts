// What the manager's appraisal pages share: their style sheet, the month /
// quarter / department they show (from the bookmarkable URL), the small
// tab bar between the department's three pages and the pick form.
import { StaffRole } from "../../gen/survey/v1/admin_pb";
import { el } from "../dom";
import { managerTexts, type ManagerTexts } from "../i18n_manager";
import type { PageContext } from "../page";
import { lastMonth } from "./sheet";

export const MANAGER_MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
export const MANAGER_QUARTER = /^\d{4}-Q[1-4]$/;
const CODE = /^[A-Za-z0-9_.-]{1,32}$/;

export function ensureManagerStyle() {
  if (document.getElementById("manager-style")) return;
  document.head.append(el("link", { id: "manager-style", rel: "stylesheet", href: "manager.css" }));
}

export function managerTextsOf(ctx: PageContext): ManagerTexts {
  return managerTexts[ctx.lang];
}

export function monthOf(ctx: PageContext): string {
  const asked = ctx.params.get("month") ?? "";
  return MANAGER_MONTH.test(asked) ? asked : lastMonth();
}

export function quarterOfMonth(month: string): string {
  return `${month.slice(0, 4)}-Q${Math.floor((Number(month.slice(5, 7)) - 1) / 3) + 1}`;
}

// The department asked for in the URL, else the caller's own. Whether the
// caller may see it is the server's decision (a manager asking for another
// department gets its refusal).
export function departmentOf(ctx: PageContext): string {
  const asked = (ctx.params.get("department") ?? "").trim();
  return CODE.test(asked) ? asked : ctx.me.departmentCode;
}

// Only HR and admins are offered a department field (the server scopes a
// manager to their own department whatever the field says).
export function mayChooseDepartment(ctx: PageContext): boolean {
  return ctx.me.role === StaffRole.HR || ctx.me.role === StaffRole.ADMIN;
}

export type ManagerView = "department" | "unit" | "quarter";

// Links between the department's sheets, its own appraisal and the quarter
// view, keeping the month and the department.
export function managerTabs(ctx: PageContext, current: ManagerView, month: string, dept: string): HTMLElement {
  const m = managerTextsOf(ctx);
  const list = el("ul");
  const q = (extra: Record<string, string>) => {
    const p = new URLSearchParams(extra);
    if (ctx.params.get("department") && dept) p.set("department", dept);
    return p.toString();
  };
  const items: [ManagerView, string, string][] = [
    ["department", m.tabSheets, `#/appraisal/department?${q({ month })}`],
    ["unit", m.tabUnit, `#/appraisal/unit?${q({ month })}`],
    ["quarter", m.tabQuarter, `#/appraisal/quarter?${q({ quarter: quarterOfMonth(month) })}`],
  ];
  for (const [view, label, href] of items) {
    list.append(el("li", {}, el("a", { href, "data-view": view,
      "aria-current": view === current ? "page" : undefined }, label)));
  }
  return el("nav", { class: "manager-tabs", "aria-label": m.tabsLabel }, list);
}

// The pick form of a page: its inputs, a "show" button; `go` gets the form
// when submitted (the page builds its URL from it).
export function pickForm(ctx: PageContext, id: string, fields: HTMLElement[], go: () => void): HTMLFormElement {
  const form = el("form", { class: "month-pick manager-pick", id }, ...fields,
    el("button", { type: "submit" }, managerTextsOf(ctx).show));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    go();
  });
  return form;
}

export function labelled(id: string, label: string, input: HTMLInputElement): HTMLElement {
  input.id = id;
  if (!input.getAttribute("name")) input.setAttribute("name", id);
  return el("span", { class: "pick-field" }, el("label", { for: id }, label), input);
}

// The department field for HR (empty = the whole company for lists).
export function departmentField(ctx: PageContext): HTMLElement[] {
  if (!mayChooseDepartment(ctx)) return [];
  const m = managerTextsOf(ctx);
  const input = el("input", { type: "text", value: ctx.params.get("department") ?? "", maxlength: "32",
    autocomplete: "off", pattern: "[A-Za-z0-9_.\\-]*", "aria-describedby": "department-hint" });
  return [labelled("pick-department", m.department, input),
    el("span", { class: "hint", id: "department-hint" }, m.departmentHint)];
}

export function fixed(x: number | undefined, digits = 2): string {
  return x === undefined ? "—" : x.toFixed(digits);
}
