// The lower parts of the employee's sheet page: appeals (file one with a
// reason, follow its decision), the sheet's history of changes and the
// annual grade. Each reads the server and shows its refusal in place.
import { Code, ConnectError } from "@connectrpc/connect";
import { AppealState, SheetState, type Sheet } from "../../gen/survey/v1/appraisal_pb";
import { el, refusal } from "../dom";
import { consoleTexts } from "../i18n";
import type { AppraisalTexts } from "../i18n_appraisal";
import type { PageContext } from "../page";
import { offsetOfDeadline, timeAt, zoneOffset } from "./calendar";
import { changeText } from "./history";

type Reload = (note?: [string, string]) => Promise<void>;

// The company's UTC offset as the server's deadline shows it, else that of
// the zone the sheet names (Sheet.time_zone).
function offsetOf(sheet: Sheet): number {
  const d = Number(sheet.appealDeadlineUnix);
  return d ? offsetOfDeadline(d) : zoneOffset(sheet.timeZone || undefined);
}

function simpleTable(name: string, caption: string, head: string[], rows: (string | Node)[][], keys: string[]): HTMLElement {
  const tr = el("tr");
  head.forEach((h) => tr.append(el("th", { scope: "col" }, h)));
  const body = el("tbody");
  for (const r of rows) {
    const line = el("tr");
    r.forEach((c, i) => line.append(el("td", { "data-field": keys[i] }, c)));
    body.append(line);
  }
  return el("div", { class: "scroll", role: "region", tabindex: "0", "aria-label": caption },
    el("table", { "data-table": name }, el("caption", { class: "sr" }, caption), el("thead", {}, tr), body));
}

export async function appealsSection(ctx: PageContext, a: AppraisalTexts, sheet: Sheet, reload: Reload): Promise<HTMLElement> {
  const t = consoleTexts[ctx.lang];
  const section = el("section", { "aria-labelledby": "appeals-heading", class: "appeals", id: "appeals" },
    el("h2", { id: "appeals-heading" }, a.appeals));
  const offset = offsetOf(sheet);
  try {
    const list = await ctx.clients.appraisal.listAppeals({ employeeNo: sheet.employeeNo, period: sheet.period });
    if (list.appeals.length === 0) {
      section.append(el("p", { id: "no-appeals" }, a.noAppeals));
    } else {
      section.append(simpleTable("appeals", a.appeals,
        [a.filedAt, a.appealReason, a.state, a.decision, a.newScore, a.deadline],
        list.appeals.map((x) => [
          timeAt(Number(x.filedAtUnix), offset), x.reason, a.appealStates[x.state] ?? String(x.state),
          x.resolution || "—", x.state === AppealState.ACCEPTED ? x.newScore.toFixed(2) : "—", x.deadline || "—"]),
        ["filed", "reason", "state", "resolution", "new-score", "deadline"]));
      section.querySelectorAll("tbody tr").forEach((tr, i) => {
        (tr as HTMLElement).dataset.appeal = list.appeals[i].id;
        (tr as HTMLElement).dataset.state = AppealState[list.appeals[i].state];
      });
    }
  } catch (e) {
    section.append(refusal(t, e));
  }
  // The form is offered while the result is out for appeal; whether it is
  // still in time is the server's decision (it refuses after the deadline).
  if (sheet.state === SheetState.APPEAL_WINDOW) {
    const reason = el("textarea", { id: "appeal-reason", name: "reason", rows: "3", required: true, maxlength: "1000" });
    const status = el("div", { class: "action-status", id: "appeal-status", "aria-live": "polite" });
    const form = el("form", { id: "appeal-form", class: "appeal-form" },
      el("label", { for: "appeal-reason" }, a.appealReason), reason,
      el("button", { type: "submit", id: "file-appeal" }, a.fileAppeal), status);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void (async () => {
        status.replaceChildren();
        try {
          await ctx.clients.appraisal.fileAppeal({ employeeNo: sheet.employeeNo, period: sheet.period,
            reason: reason.value.trim() });
        } catch (e) {
          status.replaceChildren(refusal(t, e));
          return;
        }
        await reload(["appeal-status", a.appealFiled]);
      })();
    });
    section.append(form);
  }
  return section;
}

export async function historySection(ctx: PageContext, a: AppraisalTexts, sheet: Sheet): Promise<HTMLElement> {
  const section = el("section", { "aria-labelledby": "history-heading", class: "history" },
    el("h2", { id: "history-heading" }, a.history));
  try {
    const h = await ctx.clients.appraisal.getSheetHistory({ employeeNo: sheet.employeeNo, period: sheet.period });
    const offset = offsetOf(sheet);
    section.append(h.changes.length === 0 ? el("p", {}, a.noHistory) :
      simpleTable("history", a.history, [a.when, a.who, a.what, a.details],
        h.changes.map((c) => [timeAt(Number(c.atUnix), offset), c.who, c.what, changeText(a, c.before, c.after)]),
        ["at", "who", "what", "details"]));
  } catch (e) {
    section.append(refusal(consoleTexts[ctx.lang], e));
  }
  return section;
}

// The grade of the sheet's year: the grading table where the server shows
// it to the caller (HR, the manager), else the sheet's own grade field.
export async function gradeSection(ctx: PageContext, a: AppraisalTexts, sheet: Sheet): Promise<HTMLElement> {
  const section = el("section", { "aria-labelledby": "grade-heading", class: "grade", id: "annual" },
    el("h2", { id: "grade-heading" }, `${a.annual} · ${sheet.period.slice(0, 4)}`));
  let shown = false;
  try {
    const g = await ctx.clients.appraisal.getAnnualGrading({ year: sheet.period.slice(0, 4),
      departmentCode: sheet.departmentCode });
    const mine = g.employees.find((x) => x.employeeNo === sheet.employeeNo);
    if (mine) {
      const dl = el("dl", { class: "facts" },
        el("div", { class: "fact" }, el("dt", {}, a.grade), el("dd", { "data-field": "grade" }, mine.grade)),
        el("div", { class: "fact" }, el("dt", {}, a.annualCoefficient), el("dd", {}, mine.annualCoefficient.toFixed(4))),
        el("div", { class: "fact" }, el("dt", {}, a.yearEndBonus), el("dd", {}, mine.yearEndBonus.toFixed(2))),
        el("div", { class: "fact" }, el("dt", {}, a.flags), el("dd", {}, mine.flags.join(" · ") || a.none)));
      section.append(dl);
      shown = true;
    }
  } catch (e) {
    const code = ConnectError.from(e).code;
    if (code !== Code.PermissionDenied && code !== Code.NotFound) section.append(refusal(consoleTexts[ctx.lang], e));
    else if (code === Code.PermissionDenied && !sheet.grade) section.append(el("p", { class: "hint" }, a.gradeHidden));
    if (code === Code.PermissionDenied && !sheet.grade) shown = true;
  }
  if (!shown) {
    section.append(sheet.grade
      ? el("p", {}, `${a.grade}: `, el("strong", { "data-field": "grade" }, sheet.grade))
      : el("p", {}, a.noGrade));
  }
  return section;
}
