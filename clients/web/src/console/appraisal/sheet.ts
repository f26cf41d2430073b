// #/appraisal/sheet?month=YYYY-MM[&employee=NO]: the signed-in employee's
// own monthly appraisal sheet (another employee's only where the server
// allows it; otherwise its refusal is the page). Lines by section with
// weights, self scores while the sheet is a draft, the satisfaction line's
// provenance in words, the figures, the deadlines counted in working days,
// confirmation, appeals, the history and the annual grade. Every action is
// the server's RPC; a refusal is shown where the action was.
import { SheetSection, SheetState, type Sheet, type SheetLine } from "../../gen/survey/v1/appraisal_pb";
import { el, refusal } from "../dom";
import { consoleTexts } from "../i18n";
import { appraisalTexts, type AppraisalTexts } from "../i18n_appraisal";
import type { Page, PageContext } from "../page";
import { dayAt, offsetLabel, offsetOfDeadline, timeAt, workingDaysLeft, zoneOffset } from "./calendar";
import { flagText } from "./history";
import { appealsSection, gradeSection, historySection } from "./parts";

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function lastMonth(now = new Date()): string {
  const i = now.getFullYear() * 12 + now.getMonth() - 1;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`;
}

export const fixed = (x: number, digits = 2) => x.toFixed(digits);

// One "term: value" row of the summary; `field` and `value` let tests read
// the exact figure behind the text.
function row(term: string, field: string, text: string, value?: string): HTMLElement {
  return el("div", { class: "fact" }, el("dt", {}, term),
    el("dd", { "data-field": field, "data-value": value }, text));
}

function provenanceText(a: AppraisalTexts, line: SheetLine): string {
  const p = line.provenance;
  if (!p) return "";
  const months = p.periods.join(", ") || "—";
  if (p.insufficientResponses) return a.insufficient(months, p.anonymityK);
  return a.provenance({ months, responses: String(p.responses), k: p.anonymityK, mean: fixed(p.mean),
    low: fixed(p.ci95?.low ?? 0), high: fixed(p.ci95?.high ?? 0), campaigns: p.campaignIds.length });
}

function opt(x: number | undefined): string {
  return x === undefined ? "—" : fixed(x);
}

function linesSection(ctx: PageContext, a: AppraisalTexts, sheet: Sheet, reload: (note?: [string, string]) => Promise<void>): HTMLElement {
  const editable = sheet.state === SheetState.DRAFT;
  const form = el("form", { id: "self-form", class: "lines", "aria-labelledby": "lines-heading" });
  form.append(el("h2", { id: "lines-heading" }, `${a.lineTitle} · ${a.weight}`));
  const sections = [...new Set(sheet.lines.map((l) => l.section))].sort((x, y) => x - y);
  const inputs: { id: string; input: HTMLInputElement }[] = [];
  for (const s of sections) {
    const name = a.sections[s] ?? a.sections[0];
    const headId = `section-${s}`;
    const body = el("tbody");
    for (const l of sheet.lines.filter((x) => x.section === s)) {
      const scoreable = !l.satisfaction && s !== SheetSection.INCIDENTS && s !== SheetSection.BONUS;
      let self: Node = document.createTextNode(opt(l.selfScore));
      if (editable && scoreable) {
        const input = el("input", { type: "number", min: "0", max: "100", step: "0.01", id: `self-${l.id}`,
          name: `self-${l.id}`, value: l.selfScore === undefined ? "" : String(l.selfScore),
          "aria-label": a.selfScoreOf(l.title), inputmode: "decimal" });
        inputs.push({ id: l.id, input });
        self = input;
      }
      const title = el("th", { scope: "row" }, l.title || name);
      if (l.satisfaction) {
        title.append(el("p", { class: "provenance", "data-field": "provenance",
          "data-insufficient": l.provenance?.insufficientResponses ? "true" : "false" }, provenanceText(a, l)));
      }
      body.append(el("tr", { "data-line": l.id, "data-satisfaction": l.satisfaction ? "true" : undefined },
        title,
        el("td", {}, [l.goal, l.standard].filter((x) => x).join(" / ")),
        el("td", { class: "num", "data-field": "weight", "data-value": String(l.weightPercent) }, `${l.weightPercent}%`),
        el("td", { class: "num", "data-field": "self", "data-value": l.selfScore === undefined ? "" : String(l.selfScore) }, self),
        el("td", { class: "num", "data-field": "reviewer" }, opt(l.reviewerScore)),
        el("td", { class: "num", "data-field": "points" }, l.points ? fixed(l.points) : "—"),
        el("td", { class: "num", "data-field": "score", "data-value": l.score === undefined ? "" : String(l.score) },
          l.score === undefined ? (l.counted ? "—" : a.notCounted) : fixed(l.score))));
    }
    const head = el("tr");
    for (const h of [a.lineTitle, a.standard, a.weight, a.selfScore, a.reviewerScore, a.points, a.lineScore]) {
      head.append(el("th", { scope: "col" }, h));
    }
    form.append(el("h3", { id: headId }, name),
      el("div", { class: "scroll", role: "region", tabindex: "0", "aria-labelledby": headId },
        el("table", { "data-table": `section-${s}` }, el("caption", { class: "sr" }, name), el("thead", {}, head), body)));
  }
  const status = el("div", { class: "action-status", id: "self-status", "aria-live": "polite" });
  if (editable && inputs.length > 0) {
    form.append(el("button", { type: "submit", id: "save-self" }, a.saveSelf), status);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void (async () => {
        status.replaceChildren();
        const lines = inputs.filter((x) => x.input.value.trim() !== "")
          .map((x) => ({ id: x.id, selfScore: Number(x.input.value) }));
        try {
          await ctx.clients.appraisal.updateSheetLines({ employeeNo: sheet.employeeNo, period: sheet.period, lines });
        } catch (e) {
          status.replaceChildren(refusal(consoleTexts[ctx.lang], e));
          return;
        }
        await reload(["self-status", a.saved]);
      })();
    });
  } else if (!editable) {
    form.append(el("p", { class: "hint" }, a.selfClosed));
  }
  return form;
}

async function summarySection(ctx: PageContext, a: AppraisalTexts, sheet: Sheet): Promise<HTMLElement> {
  const deadline = Number(sheet.appealDeadlineUnix);
  // The sheet names the company's zone (Sheet.time_zone); a deadline's UTC
  // offset in it comes from the deadline itself (the end of its day there).
  const zone = sheet.timeZone || undefined;
  const offset = deadline ? offsetOfDeadline(deadline) : zoneOffset(zone);
  const zoneText = zone ? `${zone} (${offsetLabel(offset)})` : (deadline ? offsetLabel(offset) : undefined);
  const dl = el("dl", { class: "facts", id: "sheet-summary" });
  dl.append(
    row(a.state, "state", a.states[sheet.state] ?? String(sheet.state), SheetState[sheet.state]),
    row(a.score, "score", sheet.scored ? `${fixed(sheet.score)} / ${fixed(sheet.maxScore)}` : a.notScored,
      sheet.scored ? String(sheet.score) : ""),
    row(a.coefficient, "coefficient", sheet.scored ? fixed(sheet.coefficient, 4) : "—",
      sheet.scored ? String(sheet.coefficient) : ""),
    row(a.performancePay, "performance-pay", fixed(sheet.performancePay), String(sheet.performancePay)),
    row(a.basePay, "base-pay", fixed(sheet.basePay), String(sheet.basePay)),
    row(a.payProfile, "pay-profile", sheet.payPost ? `${sheet.payPost} / ${sheet.payGrade}` : "—"),
    row(a.flags, "flags", sheet.flags.length ? sheet.flags.map((f) => flagText(a, f)).join(" · ") : a.none,
      sheet.flags.join("|")),
    row(a.dataDue, "data-due", `${sheet.dataDueDate || "—"} · ${sheet.late ? a.late : a.onTime}`, sheet.dataDueDate),
    row(a.released, "released", Number(sheet.resultAtUnix) ? timeAt(Number(sheet.resultAtUnix), offset) : a.notReleased));
  // The server's today (on the clock it judges deadlines by), else the
  // browser's in the company's zone.
  const today = sheet.today || dayAt(Math.floor(Date.now() / 1000), offset);
  if (sheet.dataDueDate && sheet.state === SheetState.DRAFT && today <= sheet.dataDueDate) {
    try {
      const due = dl.querySelector('[data-field="data-due"]')!;
      due.append(` · ${a.workingDaysLeft(await workingDaysLeft(ctx.clients.appraisal, today, sheet.dataDueDate))}`);
    } catch { /* the calendar could not be read: the date alone still says it */ }
  }
  if (deadline) {
    const day = dayAt(deadline, offset);
    let left = "";
    try {
      left = a.workingDaysLeft(await workingDaysLeft(ctx.clients.appraisal, today, day));
    } catch { /* the calendar could not be read: the date alone still says it */ }
    dl.append(row(a.appealDeadline, "appeal-deadline", left ? `${day} · ${left}` : day, day));
  }
  dl.append(row(a.timeZone, "time-zone", zoneText ?? "—", zone ?? zoneText ?? ""));
  return el("section", { "aria-labelledby": "summary-heading", class: "sheet-summary" },
    el("h2", { id: "summary-heading" }, a.summary), dl,
    el("p", { class: "hint" }, zoneText ? a.timeZoneNote(zoneText) : a.timeZoneUnknown));
}

function confirmSection(ctx: PageContext, a: AppraisalTexts, sheet: Sheet, reload: (note?: [string, string]) => Promise<void>): HTMLElement | null {
  if (sheet.state !== SheetState.SUBMITTED && sheet.state !== SheetState.CONFIRMED) return null;
  const status = el("div", { class: "action-status", id: "confirm-status", "aria-live": "polite" });
  const section = el("section", { "aria-labelledby": "confirm-heading", class: "confirm" },
    el("h2", { id: "confirm-heading" }, a.confirm));
  if (sheet.state === SheetState.CONFIRMED) {
    section.append(el("p", {}, a.confirmed), status);
    return section;
  }
  const button = el("button", { type: "button", id: "confirm-sheet" }, a.confirm);
  button.addEventListener("click", () => void (async () => {
    status.replaceChildren();
    try {
      await ctx.clients.appraisal.transitionSheet({ employeeNo: sheet.employeeNo, period: sheet.period,
        to: SheetState.CONFIRMED });
    } catch (e) {
      status.replaceChildren(refusal(consoleTexts[ctx.lang], e));
      return;
    }
    await reload(["confirm-status", a.confirmed]);
  })());
  section.append(el("p", {}, a.confirmHint), button, status);
  return section;
}

export const sheetPage: Page = async (root, ctx) => {
  const a = appraisalTexts[ctx.lang];
  const asked = ctx.params.get("month") ?? "";
  const month = MONTH.test(asked) ? asked : lastMonth();
  const no = ctx.params.get("employee") || ctx.me.employeeNo;
  const page = el("section", { class: "appraisal-page", "data-view": "sheet", "data-month": month,
    "data-employee": no });
  root.replaceChildren(page);
  const h1 = el("h1", { tabindex: "-1" }, `${a.title} · ${no} · ${month}`);
  const input = el("input", { type: "month", id: "sheet-month", name: "month", value: month, required: true });
  const pick = el("form", { class: "month-pick" }, el("label", { for: "sheet-month" }, a.month), input,
    el("button", { type: "submit" }, a.show));
  pick.addEventListener("submit", (ev) => {
    ev.preventDefault();
    if (!MONTH.test(input.value)) return;
    const q = new URLSearchParams({ month: input.value });
    if (ctx.params.get("employee")) q.set("employee", no);
    ctx.navigate(`/appraisal/sheet?${q}`);
  });
  const body = el("div", { id: "sheet-body", "aria-busy": "true" }, el("p", { role: "status" }, a.loading));
  page.append(h1, pick, body);
  if (!no) {
    body.replaceChildren(el("p", {}, a.noEmployee));
    return;
  }
  // Draws the sheet afresh from the server; `note` puts a confirmation at
  // the place of the action that led here.
  const reload = async (note?: [string, string]) => {
    let sheet: Sheet;
    try {
      sheet = await ctx.clients.appraisal.getSheet({ employeeNo: no, period: month });
    } catch (e) {
      body.replaceChildren(refusal(consoleTexts[ctx.lang], e));
      body.setAttribute("aria-busy", "false");
      return;
    }
    if (sheet.employeeName) h1.textContent = `${a.title} · ${sheet.employeeName} (${no}) · ${month}`;
    const parts: (HTMLElement | null)[] = [
      await summarySection(ctx, a, sheet),
      confirmSection(ctx, a, sheet, reload),
      linesSection(ctx, a, sheet, reload),
      await appealsSection(ctx, a, sheet, reload),
      await historySection(ctx, a, sheet),
      await gradeSection(ctx, a, sheet),
    ];
    body.replaceChildren(...parts.filter((p): p is HTMLElement => p !== null));
    body.setAttribute("aria-busy", "false");
    body.dataset.state = SheetState[sheet.state];
    if (note) {
      // The button that was pressed is gone with the redraw: the focus goes
      // to the confirmation where it was, not back to the top of the page.
      const slot = body.querySelector(`#${note[0]}`);
      const done = el("p", { class: "ok", role: "status", tabindex: "-1" }, note[1]);
      slot?.replaceChildren(done);
      done.focus();
    }
  };
  await reload();
};
