// #/appraisal/review?employee=E…&month=YYYY-MM: the reviewer's (manager's,
// or HR's) view of one sheet: its figures, the line editor while it is a
// draft (review_lines.ts), reporting an incident, submit or return, and the
// sheet's history. Who may read or change it is the server's decision: a
// sheet of another department is the server's refusal, and an action it
// refuses shows the refusal where the action was (and, for a submit, each
// problem the server names at its field).
import { SheetState, type Sheet } from "../../gen/survey/v1/appraisal_pb";
import { el, refusal } from "../dom";
import { consoleTexts } from "../i18n";
import { appraisalTexts } from "../i18n_appraisal";
import type { Page, PageContext } from "../page";
import { refusalOf } from "../api";
import { offsetLabel, offsetOfDeadline } from "./calendar";
import { flagText } from "./history";
import { MANAGER_MONTH, ensureManagerStyle, labelled, managerTextsOf, monthOf, pickForm } from "./manager_common";
import { historySection } from "./parts";
import { linesEditor } from "./review_lines";
import { messageParts } from "./review_messages";

type Note = [string, string];
type Reload = (note?: Note, verdict?: { message: string; reason: string }) => Promise<void>;

function fact(term: string, field: string, text: string, value?: string): HTMLElement {
  return el("div", { class: "fact" }, el("dt", {}, term), el("dd", { "data-field": field, "data-value": value }, text));
}

function summary(ctx: PageContext, sheet: Sheet): HTMLElement {
  const m = managerTextsOf(ctx);
  const a = appraisalTexts[ctx.lang];
  const deadline = Number(sheet.appealDeadlineUnix);
  const zone = sheet.timeZone || (deadline ? offsetLabel(offsetOfDeadline(deadline)) : undefined);
  const dl = el("dl", { class: "facts", id: "review-summary" },
    fact(m.state, "state", a.states[sheet.state] ?? String(sheet.state), SheetState[sheet.state]),
    fact(m.score, "score", sheet.scored ? `${sheet.score.toFixed(2)} / ${sheet.maxScore.toFixed(2)}` : a.notScored,
      sheet.scored ? String(sheet.score) : ""),
    fact(m.coefficient, "coefficient", sheet.scored ? sheet.coefficient.toFixed(4) : "—",
      sheet.scored ? String(sheet.coefficient) : ""),
    fact(m.dataDue, "data-due", `${sheet.dataDueDate || "—"} · ${sheet.late ? a.late : a.onTime}`, sheet.dataDueDate),
    fact(m.late, "late", sheet.late ? m.lateYes : m.lateNo, sheet.late ? "true" : "false"),
    fact(a.timeZone, "time-zone", zone ?? "—", zone ?? ""),
    fact(m.flags, "flags", sheet.flags.length ? sheet.flags.map((f) => flagText(a, f)).join(" · ") : m.none,
      sheet.flags.join("|")));
  return el("section", { class: "review-summary", "aria-labelledby": "review-summary-heading" },
    el("h2", { id: "review-summary-heading" }, m.summary), dl,
    el("p", { class: "hint" }, zone ? m.zoneNote(zone) : m.zoneNoteUnknown));
}

// Anyone on the staff may report an incident; it waits for confirmation.
function incidentForm(ctx: PageContext, sheet: Sheet, reload: Reload): HTMLElement | null {
  if (sheet.state !== SheetState.DRAFT) return null;
  const m = managerTextsOf(ctx);
  const what = el("input", { type: "text", required: true, maxlength: "200" });
  const rule = el("input", { type: "text", maxlength: "1000" });
  const points = el("input", { type: "number", required: true, min: "-100", max: "-0.01", step: "0.01",
    inputmode: "decimal" });
  const status = el("div", { class: "action-status", id: "incident-status", "aria-live": "polite" });
  const form = el("form", { id: "incident-form", class: "incident-form", novalidate: true },
    labelled("incident-title", m.incidentWhat, what), labelled("incident-standard", m.incidentRule, rule),
    labelled("incident-points", m.incidentPoints, points),
    el("button", { type: "submit", id: "report-incident" }, m.report));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void (async () => {
      status.replaceChildren();
      try {
        await ctx.clients.appraisal.reportIncident({ employeeNo: sheet.employeeNo, period: sheet.period,
          title: what.value.trim(), standard: rule.value.trim(), points: Number(points.value || 0) });
      } catch (e) {
        status.replaceChildren(refusal(consoleTexts[ctx.lang], e));
        (status.firstElementChild as HTMLElement).setAttribute("tabindex", "-1");
        (status.firstElementChild as HTMLElement).focus();
        return;
      }
      await reload(["incident-status", m.reported]);
    })();
  });
  return el("section", { class: "incident", "aria-labelledby": "incident-heading" },
    el("h2", { id: "incident-heading" }, m.incidentTitle), el("p", { class: "hint" }, m.incidentHint), form, status);
}

function actionsSection(ctx: PageContext, sheet: Sheet, reload: Reload): HTMLElement {
  const m = managerTextsOf(ctx);
  const status = el("div", { class: "action-status", id: "transition-status", "aria-live": "polite" });
  const section = el("section", { class: "review-actions", "aria-labelledby": "review-actions-heading" },
    el("h2", { id: "review-actions-heading" }, m.actions));
  const move = (to: SheetState, done: string) => async () => {
    status.replaceChildren();
    try {
      await ctx.clients.appraisal.transitionSheet({ employeeNo: sheet.employeeNo, period: sheet.period, to });
    } catch (e) {
      // The refusal stays at the button; each problem it names is also
      // shown at its field once the sheet is drawn again.
      const r = refusalOf(e);
      await reload(undefined, { message: r.message, reason: r.reason || r.code });
      const shown = refusal(consoleTexts[ctx.lang], e);
      document.getElementById("transition-status")?.replaceChildren(shown);
      // No field named: the focus goes to the refusal itself.
      if (!document.activeElement || document.activeElement === document.body) {
        shown.setAttribute("tabindex", "-1");
        shown.focus();
      }
      return;
    }
    await reload(["transition-status", done]);
  };
  if (sheet.state === SheetState.DRAFT) {
    const b = el("button", { type: "button", id: "submit-sheet", class: "primary" }, m.submit);
    b.addEventListener("click", () => void move(SheetState.SUBMITTED, m.submitted)());
    section.append(el("p", { class: "hint" }, m.submitHint), b);
  } else if (sheet.state === SheetState.SUBMITTED) {
    const b = el("button", { type: "button", id: "return-sheet" }, m.returnDraft);
    b.addEventListener("click", () => void move(SheetState.DRAFT, m.returned)());
    section.append(el("p", { class: "hint" }, m.returnHint), b);
  } else {
    section.append(el("p", {}, m.noActions));
  }
  section.append(status);
  return section;
}

export const reviewPage: Page = async (root, ctx) => {
  ensureManagerStyle();
  const m = managerTextsOf(ctx);
  const month = monthOf(ctx);
  const no = (ctx.params.get("employee") ?? "").trim();
  const page = el("section", { class: "appraisal-page manager-page", "data-view": "review", "data-month": month,
    "data-employee": no });
  root.replaceChildren(page);
  const h1 = el("h1", { tabindex: "-1" }, `${m.reviewTitle} · ${no || "—"} · ${month}`);
  const employee = el("input", { type: "text", value: no, required: true, maxlength: "32", autocomplete: "off" });
  const monthInput = el("input", { type: "month", value: month, required: true });
  const pick = pickForm(ctx, "review-pick", [labelled("review-employee", m.employee, employee),
    labelled("review-month", m.month, monthInput)], () => {
    if (!MANAGER_MONTH.test(monthInput.value) || !employee.value.trim()) return;
    ctx.navigate(`/appraisal/review?${new URLSearchParams({ employee: employee.value.trim(), month: monthInput.value })}`);
  });
  const back = el("a", { href: `#/appraisal/department?${new URLSearchParams({ month })}`, id: "back-to-department" },
    m.backToDepartment);
  const body = el("div", { id: "review-body", "aria-busy": "true" }, el("p", { role: "status" }, m.loading));
  page.append(h1, el("p", {}, back), pick, body);
  if (!no) {
    body.replaceChildren(el("p", {}, m.chooseEmployee));
    body.setAttribute("aria-busy", "false");
    return;
  }
  const reload: Reload = async (note, verdict) => {
    body.setAttribute("aria-busy", "true");
    let sheet: Sheet;
    try {
      sheet = await ctx.clients.appraisal.getSheet({ employeeNo: no, period: month });
    } catch (e) {
      body.replaceChildren(refusal(consoleTexts[ctx.lang], e));
      body.setAttribute("aria-busy", "false");
      return;
    }
    h1.textContent = `${m.reviewTitle} · ${sheet.employeeName ? `${sheet.employeeName} (${no})` : no} · ${month}`;
    const editor = linesEditor(ctx, sheet, reload);
    const parts = [summary(ctx, sheet), editor.element, incidentForm(ctx, sheet, reload),
      actionsSection(ctx, sheet, reload), await historySection(ctx, appraisalTexts[ctx.lang], sheet)];
    body.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
    body.dataset.state = SheetState[sheet.state];
    body.setAttribute("aria-busy", "false");
    let focus: HTMLElement | undefined;
    if (verdict) focus = editor.showVerdict(messageParts(verdict.message), verdict.reason);
    if (note) {
      const done = el("p", { class: "ok", role: "status", tabindex: "-1" }, note[1]);
      body.querySelector(`#${note[0]}`)?.replaceChildren(done);
      focus ??= done;
    }
    focus?.focus();
  };
  await reload();
};
