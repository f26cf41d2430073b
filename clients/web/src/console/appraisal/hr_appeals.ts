// #/appraisal/appeals[?state=open|accepted|rejected|all][&month=YYYY-MM]:
// HR's appeals queue (ListAppeals), each appeal beside its sheet's figures
// as ListSheets gives them now, and for an open one the decision: accept
// with a new score or reject, with a resolution either way
// (ResolveAppeal). The server's refusal is shown at the field it names
// ("new_score: …", "resolution: …"), else at the form.
import { AppealState, type Appeal, type Sheet } from "../../gen/survey/v1/appraisal_pb";
import { refusalOf } from "../api";
import { el, field, refusal } from "../dom";
import { consoleTexts } from "../i18n";
import { appraisalTexts } from "../i18n_appraisal";
import { hrAppraisalTexts, type HrAppraisalTexts } from "../i18n_hr_appraisal";
import type { Page, PageContext } from "../page";
import { companyZone, ensureHrStyle, MONTH, wordOfState, zoneTime } from "./hr_common";

const APPEAL_WORDS: [string, AppealState][] = [
  ["open", AppealState.OPEN], ["accepted", AppealState.ACCEPTED], ["rejected", AppealState.REJECTED],
  ["all", AppealState.UNSPECIFIED]];

function fact(term: string, fieldName: string, text: string, value?: string): HTMLElement {
  return el("div", { class: "fact" }, el("dt", {}, term), el("dd", { "data-field": fieldName, "data-value": value }, text));
}

// Where the server's message says which field it refuses.
function fieldOf(message: string): "score" | "resolution" | "" {
  if (message.startsWith("new_score")) return "score";
  if (message.startsWith("resolution")) return "resolution";
  return "";
}

function decideForm(ctx: PageContext, h: HrAppraisalTexts, x: Appeal, reload: (done?: [string, string]) => Promise<void>): HTMLElement {
  const t = consoleTexts[ctx.lang];
  const id = (s: string) => `${s}-${x.id}`;
  const accept = el("input", { type: "radio", name: id("decision"), id: id("accept"), value: "accept", checked: true });
  const reject = el("input", { type: "radio", name: id("decision"), id: id("reject"), value: "reject" });
  const score = el("input", { type: "number", min: "0", max: "200", step: "0.01", inputmode: "decimal" });
  const scoreField = field(id("new-score"), h.newScore, score);
  const text = el("textarea", { id: id("resolution"), name: id("resolution"), rows: "2", maxlength: "1000" });
  const scoreErr = el("div", { id: id("new-score-error"), class: "field-error", "aria-live": "polite" });
  const textErr = el("div", { id: id("resolution-error"), class: "field-error", "aria-live": "polite" });
  const status = el("div", { id: id("decide-status"), class: "action-status", "aria-live": "polite" });
  scoreField.append(scoreErr);
  const sync = () => { score.disabled = reject.checked; };
  accept.addEventListener("change", sync);
  reject.addEventListener("change", sync);
  const form = el("form", { class: "decide-form", id: id("decide"), "data-appeal": x.id },
    el("fieldset", {}, el("legend", {}, h.decision),
      el("div", { class: "check" }, accept, el("label", { for: id("accept") }, h.accept)),
      el("div", { class: "check" }, reject, el("label", { for: id("reject") }, h.reject))),
    scoreField,
    el("div", {}, el("label", { for: id("resolution") }, h.resolution), text, textErr),
    el("button", { type: "submit", id: id("submit") }, h.submitDecision), status);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void (async () => {
      for (const [input, err] of [[score, scoreErr], [text, textErr]] as const) {
        err.replaceChildren();
        input.removeAttribute("aria-invalid");
        input.removeAttribute("aria-describedby");
      }
      status.replaceChildren();
      const yes = accept.checked;
      try {
        await ctx.clients.appraisal.resolveAppeal({ appealId: x.id, accept: yes,
          newScore: yes ? Number(score.value === "" ? NaN : score.value) : 0, resolution: text.value.trim() });
      } catch (e) {
        const where = fieldOf(refusalOf(e).message);
        const [input, err] = where === "score" ? [score, scoreErr] : where === "resolution" ? [text, textErr] : [null, status];
        err.replaceChildren(refusal(t, e));
        if (input) {
          input.setAttribute("aria-invalid", "true");
          input.setAttribute("aria-describedby", err.id);
          input.focus();
        }
        return;
      }
      await reload([x.id, `${x.employeeNo} · ${x.period}`]);
    })();
  });
  return form;
}

function appealCard(ctx: PageContext, h: HrAppraisalTexts, x: Appeal, sheet: Sheet | undefined, zone: string,
                    reload: (done?: [string, string]) => Promise<void>): HTMLElement {
  const a = appraisalTexts[ctx.lang];
  const head = `appeal-${x.id}-heading`;
  const facts = el("dl", { class: "facts" },
    fact(h.filedAt, "filed", zoneTime(x.filedAtUnix, zone)),
    fact(h.deadline, "deadline", x.deadline || "—", x.deadline),
    fact(h.scoreBefore, "score-before", x.scoreBefore.toFixed(2), String(x.scoreBefore)),
    fact(h.appealState, "appeal-state", a.appealStates[x.state] ?? String(x.state), AppealState[x.state]));
  if (x.state !== AppealState.OPEN) {
    facts.append(fact(h.decision, "resolution", x.resolution || "—", x.resolution),
      fact(a.newScore, "new-score", x.state === AppealState.ACCEPTED ? x.newScore.toFixed(2) : "—",
        x.state === AppealState.ACCEPTED ? String(x.newScore) : ""),
      fact(h.decided, "resolved", h.resolvedBy(x.resolvedBy, zoneTime(x.resolvedAtUnix, zone))));
  }
  const figures = el("dl", { class: "facts sheet-figures", "aria-label": h.sheetFigures });
  if (sheet) {
    figures.append(
      fact(h.state, "sheet-state", a.states[sheet.state] ?? "", wordOfState(sheet.state)),
      fact(h.score, "sheet-score", sheet.scored ? `${sheet.score.toFixed(2)} / ${sheet.maxScore.toFixed(2)}` : a.notScored,
        sheet.scored ? String(sheet.score) : ""),
      fact(h.coefficient, "sheet-coefficient", sheet.scored ? sheet.coefficient.toFixed(4) : "—",
        sheet.scored ? String(sheet.coefficient) : ""),
      fact(h.performancePay, "sheet-performance-pay", sheet.performancePay.toFixed(2), String(sheet.performancePay)),
      fact(h.basePay, "sheet-base-pay", sheet.basePay.toFixed(2), String(sheet.basePay)));
  }
  const card = el("article", { class: "appeal-card", "data-appeal": x.id, "data-state": AppealState[x.state],
    "data-employee": x.employeeNo, "data-period": x.period, "aria-labelledby": head },
    el("h2", { id: head }, el("a", { href: `#/appraisal/sheet?${new URLSearchParams({ month: x.period, employee: x.employeeNo })}` },
      `${sheet?.employeeName ? `${sheet.employeeName} ` : ""}${x.employeeNo} · ${x.period}`)),
    el("p", { class: "appeal-reason" }, el("strong", {}, h.reason), " ", x.reason),
    facts, el("h3", {}, h.sheetFigures), figures);
  if (x.state === AppealState.OPEN) card.append(decideForm(ctx, h, x, reload));
  return card;
}

export const hrAppealsPage: Page = async (root, ctx) => {
  ensureHrStyle();
  const h = hrAppraisalTexts[ctx.lang];
  const a = appraisalTexts[ctx.lang];
  const stateWord = APPEAL_WORDS.some(([w]) => w === ctx.params.get("state")) ? ctx.params.get("state")! : "open";
  const asked = ctx.params.get("month") ?? "";
  const month = MONTH.test(asked) ? asked : "";
  const page = el("section", { class: "appraisal-page hr-page", "data-view": "hr-appeals" });
  root.replaceChildren(page);
  const state = el("select", {}, ...APPEAL_WORDS.map(([w, s]) =>
    el("option", { value: w }, s === AppealState.UNSPECIFIED ? h.allAppeals : a.appealStates[s])));
  state.value = stateWord;
  const monthInput = el("input", { type: "month", value: month });
  const form = el("form", { id: "appeals-filters", class: "hr-filters", "aria-label": h.filters },
    field("appeals-state", h.appealState, state), field("appeals-month", h.period, monthInput),
    el("button", { type: "submit" }, h.apply));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const q = new URLSearchParams({ state: state.value });
    if (MONTH.test(monthInput.value)) q.set("month", monthInput.value);
    ctx.navigate(`/appraisal/appeals?${q}`);
  });
  const body = el("div", { id: "appeals-body", "aria-busy": "true" }, el("p", { role: "status" }, h.loading));
  page.append(el("h1", { tabindex: "-1" }, h.appealsTitle), form, body);
  const zone = await companyZone(ctx, month || new Date().toISOString().slice(0, 7));
  const reload = async (done?: [string, string]) => {
    body.setAttribute("aria-busy", "true");
    let appeals: Appeal[];
    const sheets = new Map<string, Sheet>();
    try {
      appeals = (await ctx.clients.appraisal.listAppeals({ period: month,
        state: APPEAL_WORDS.find(([w]) => w === stateWord)![1] })).appeals;
      // Each appeal's sheet as it is now: one list per month concerned.
      for (const p of new Set(appeals.map((x) => x.period))) {
        for (const s of (await ctx.clients.appraisal.listSheets({ period: p })).sheets) sheets.set(`${s.employeeNo}/${p}`, s);
      }
    } catch (e) {
      body.replaceChildren(refusal(consoleTexts[ctx.lang], e));
      body.setAttribute("aria-busy", "false");
      return;
    }
    const list = appeals.map((x) => appealCard(ctx, h, x, sheets.get(`${x.employeeNo}/${x.period}`), zone, reload));
    body.replaceChildren(el("p", { id: "appeals-count", role: "status" }, h.appealsCaption(appeals.length)),
      ...(list.length ? list : [el("p", { id: "no-appeals" }, h.noAppealsHere)]));
    if (zone) body.append(el("p", { class: "hint" }, h.timeZoneNote(zone)));
    body.setAttribute("aria-busy", "false");
    if (done) {
      // The decided appeal may have left the list (the queue shows open
      // ones): the confirmation goes to the top of the list.
      const note = el("p", { class: "ok", role: "status", tabindex: "-1", id: "decided-note", "data-appeal": done[0] },
        `${h.decided} · ${done[1]}`);
      body.prepend(note);
      note.focus();
    }
  };
  await reload();
};
