// The reviewer's line editor of a draft sheet: by section, lines to add,
// change or remove (KPI and work goals with weights, behaviour, the
// management split, incidents and bonus points with their confirmation),
// reviewer scores and the KPI share; one save is one UpdateSheetLines. The
// server's verdict (sheet flags, refusals) is shown at the field it names
// (review_messages.ts). Past draft the same tables are read-only.
import { SheetSection, SheetState, SheetTemplate, type Sheet, type SheetLine } from "../../gen/survey/v1/appraisal_pb";
import { ConnectError } from "@connectrpc/connect";
import { refusalOf } from "../api";
import { el, refusal } from "../dom";
import { consoleTexts } from "../i18n";
import { appraisalTexts } from "../i18n_appraisal";
import type { PageContext } from "../page";
import { managerTextsOf } from "./manager_common";
import { messageParts, placeOf, verdictOf } from "./review_messages";

type Kind = "weighted" | "management" | "points";
type Note = [string, string];

const STANDARD_SECTIONS = [SheetSection.KPI, SheetSection.WORK_GOALS, SheetSection.BEHAVIOUR,
  SheetSection.MANAGEMENT, SheetSection.INCIDENTS, SheetSection.BONUS];
const SERVICE_SECTIONS = [SheetSection.MORALITY, SheetSection.DILIGENCE, SheetSection.ABILITY,
  SheetSection.PERFORMANCE, SheetSection.BONUS];

// The server's code of a section ("kpi", "work_goals", …).
export const sectionCode = (s: SheetSection) => (SheetSection[s] ?? "").toLowerCase();

function kindOf(s: SheetSection): Kind {
  if (s === SheetSection.MANAGEMENT) return "management";
  if (s === SheetSection.INCIDENTS || s === SheetSection.BONUS) return "points";
  return "weighted";
}

interface Row {
  key: string;
  line?: SheetLine;  // undefined: a new line
  section: SheetSection;
  inputs: Record<string, HTMLInputElement>;
}

const numText = (x: number | undefined) => (x === undefined ? "" : String(x));
const shown = (x: number | undefined) => (x === undefined ? "—" : x.toFixed(2));

function numberInput(id: string, label: string, value: string, min: string, max: string): HTMLInputElement {
  return el("input", { type: "number", id, name: id, value, min, max, step: "0.01", inputmode: "decimal",
    "aria-label": label });
}

export interface Editor {
  element: HTMLElement;
  // Shows the server's verdict parts at their fields; `reason` marks parts
  // that came from a refusal. Returns the first field it marked, if any.
  showVerdict(parts: string[], reason?: string): HTMLElement | undefined;
}

export function linesEditor(ctx: PageContext, sheet: Sheet, reload: (note?: Note) => Promise<void>): Editor {
  const m = managerTextsOf(ctx);
  const a = appraisalTexts[ctx.lang];
  const editable = sheet.state === SheetState.DRAFT;
  const rows: Row[] = [];
  let fresh = 0;
  // The template's sections, then any other section a line is in (so that
  // nothing on the sheet is hidden).
  const sections = [...(sheet.template === SheetTemplate.CUSTOMER_SERVICE ? SERVICE_SECTIONS : STANDARD_SECTIONS)];
  for (const l of sheet.lines) if (!sections.includes(l.section)) sections.push(l.section);
  const form = el("form", { id: "review-form", class: "review-lines", "aria-labelledby": "review-lines-heading",
    novalidate: true });
  const general = el("div", { id: "verdict-general", class: "verdict-general" });
  form.append(el("h2", { id: "review-lines-heading" }, m.editorTitle),
    el("p", { class: "hint" }, editable ? m.editorHint : m.readOnly), general);

  // The KPI share (standard sheet only).
  let kpiInput: HTMLInputElement | undefined;
  const kpiError = el("div", { id: "kpi-weight-error", class: "field-errors" });
  if (sheet.template !== SheetTemplate.CUSTOMER_SERVICE) {
    const value = sheet.kpiWeight === undefined ? "" : String(sheet.kpiWeight);
    if (editable) {
      kpiInput = el("input", { type: "number", id: "kpi-weight", name: "kpi-weight", min: "0", max: "100", step: "1",
        value, inputmode: "numeric", "aria-describedby": "kpi-weight-hint kpi-weight-error" });
      form.append(el("div", { class: "kpi-weight" }, el("label", { for: "kpi-weight" }, m.kpiWeight), kpiInput,
        el("p", { class: "hint", id: "kpi-weight-hint" }, m.kpiWeightHint), kpiError));
    } else {
      form.append(el("p", { class: "kpi-weight", "data-field": "kpi-weight", "data-value": value },
        `${m.kpiWeight}: ${value || "—"}`), kpiError);
    }
  }

  const sectionBlocks = new Map<string, { block: HTMLElement; body: HTMLElement; errors: HTMLElement; sum?: HTMLElement }>();
  const sumOf = (s: SheetSection) => {
    const block = sectionBlocks.get(sectionCode(s));
    if (!block?.sum) return;
    let total = 0;
    for (const r of rows) {
      if (r.section !== s || r.inputs.remove?.checked) continue;
      total += r.inputs.weight ? Number(r.inputs.weight.value || 0) : (r.line?.weightPercent ?? 0);
    }
    block.sum.dataset.value = String(total);
    block.sum.textContent = m.sumOf(String(Math.round(total * 100) / 100));
  };

  const addRow = (s: SheetSection, line: SheetLine | undefined, body: HTMLElement) => {
    const key = line ? line.id : `new${++fresh}`;
    const title = line ? line.title || line.id : `${m.newLine} ${fresh}`;
    const id = (f: string) => `line-${key}-${f}`;
    const label = (f: string) => m.fieldOf(f, title);
    const row: Row = { key, line, section: s, inputs: {} };
    const tr = el("tr", { "data-line": line?.id ?? "", "data-key": key,
      "data-satisfaction": line?.satisfaction ? "true" : undefined });
    const kind = kindOf(s);
    const code = sectionCode(s);
    const canEdit = editable && !line?.satisfaction;
    const text = (f: string, v: string) => {
      if (!canEdit) return el("td", { "data-field": f }, v || "—");
      const input = el("input", { type: "text", id: id(f), name: id(f), value: v, maxlength: f === "title" ? "200" : "1000",
        "aria-label": label(f === "title" ? m.lineTitle : f === "goal" ? m.goal : m.standard) });
      row.inputs[f] = input;
      return el("td", { "data-field": f }, input);
    };
    const num = (f: string, v: number | undefined, labelText: string, min = "0", max = "100") => {
      if (!canEdit) return el("td", { class: "num", "data-field": f, "data-value": numText(v) }, shown(v));
      const input = numberInput(id(f), label(labelText), numText(v), min, max);
      row.inputs[f] = input;
      return el("td", { class: "num", "data-field": f, "data-value": numText(v) }, input);
    };
    const titleCell = canEdit ? text("title", line?.title ?? "") : el("th", { scope: "row", "data-field": "title" }, line?.title || "—");
    if (line?.satisfaction) {
      titleCell.append(el("p", { class: "provenance" }, m.satisfactionLine));
    }
    tr.append(titleCell);
    if (kind !== "points") tr.append(text("goal", line?.goal ?? ""));
    tr.append(text("standard", line?.standard ?? ""));
    if (kind === "points") {
      tr.append(num("points", line?.points, m.points, s === SheetSection.INCIDENTS ? "-100" : "0",
        s === SheetSection.INCIDENTS ? "0" : "100"));
      const cell = el("td", { "data-field": "confirmed", "data-value": line?.confirmed ? "true" : "false" });
      if (canEdit) {
        const box = el("input", { type: "checkbox", id: id("confirmed"), name: id("confirmed"),
          "aria-label": label(m.confirmed) });
        box.checked = line?.confirmed ?? false;
        row.inputs.confirmed = box;
        cell.append(box);
      } else {
        cell.append(line?.confirmed ? a.yes : a.no);
      }
      tr.append(cell);
    } else {
      const w = num("weight", line?.weightPercent, m.weight);
      w.dataset.value = numText(line?.weightPercent);
      if (!canEdit && line) w.textContent = `${line.weightPercent}%`;
      tr.append(w);
      tr.append(el("td", { class: "num", "data-field": "self", "data-value": numText(line?.selfScore) }, shown(line?.selfScore)));
      if (kind === "management") {
        tr.append(num("subordinates", line?.subordinatesScore, m.subordinates),
          num("superior", line?.superiorScore, m.superior));
      } else if (line?.satisfaction) {
        tr.append(el("td", { class: "num", "data-field": "reviewer" }, "—"));
      } else {
        tr.append(num("reviewer", line?.reviewerScore, m.reviewer));
      }
    }
    tr.append(el("td", { class: "num", "data-field": "score", "data-value": numText(line?.score) },
      line?.score !== undefined ? line.score.toFixed(2) : line && !line.counted && kind === "points" ? m.notCounted : "—"));
    if (editable) {
      const cell = el("td", { "data-field": "remove" });
      if (canEdit) {
        const box = el("input", { type: "checkbox", id: id("remove"), name: id("remove"), "aria-label": label(m.remove) });
        row.inputs.remove = box;
        cell.append(box);
      }
      tr.append(cell);
    }
    // The server's check of this section is described at its weights.
    if (row.inputs.weight) row.inputs.weight.setAttribute("aria-describedby", `weights-error-${code}`);
    for (const input of Object.values(row.inputs)) input.addEventListener("input", () => sumOf(s));
    body.append(tr);
    rows.push(row);
  };

  for (const s of sections) {
    const code = sectionCode(s);
    const name = a.sections[s] ?? code;
    const kind = kindOf(s);
    const head = el("tr");
    const cols = [m.lineTitle, ...(kind !== "points" ? [m.goal] : []), m.standard,
      ...(kind === "points" ? [m.points, m.confirmed] : [m.weight, m.self,
        ...(kind === "management" ? [m.subordinates, m.superior] : [m.reviewer])]), m.score_,
      ...(editable ? [m.remove] : [])];
    for (const c of cols) head.append(el("th", { scope: "col" }, c));
    const body = el("tbody");
    const errors = el("div", { class: "field-errors", id: `weights-error-${code}` });
    const block = el("section", { class: "review-section", "data-section": code, "aria-labelledby": `review-${code}` },
      el("h3", { id: `review-${code}` }, name),
      el("div", { class: "scroll", role: "region", tabindex: "0", "aria-labelledby": `review-${code}` },
        el("table", { "data-table": `review-${code}` }, el("caption", { class: "sr" }, name), el("thead", {}, head), body)));
    const entry: { block: HTMLElement; body: HTMLElement; errors: HTMLElement; sum?: HTMLElement } = { block, body, errors };
    if (kind !== "points") {
      entry.sum = el("p", { class: "hint weights-sum", "data-field": "weights-sum" });
      block.append(entry.sum);
    }
    block.append(errors);
    sectionBlocks.set(code, entry);
    for (const l of sheet.lines.filter((x) => x.section === s)) addRow(s, l, body);
    if (editable) {
      const add = el("button", { type: "button", class: "add-line", "data-add": code }, m.addLine(name));
      add.addEventListener("click", () => {
        addRow(s, undefined, body);
        const last = rows[rows.length - 1];
        (last.inputs.title ?? Object.values(last.inputs)[0])?.focus();
        sumOf(s);
      });
      block.append(add);
    }
    form.append(block);
    sumOf(s);
  }
  const status = el("div", { class: "action-status", id: "review-status", "aria-live": "polite" });
  if (editable) form.append(el("div", { class: "actions" }, el("button", { type: "submit", id: "save-lines", class: "primary" }, m.save)), status);

  const clearVerdict = () => {
    general.replaceChildren();
    kpiError.replaceChildren();
    for (const b of sectionBlocks.values()) b.errors.replaceChildren();
    form.querySelectorAll("[aria-invalid]").forEach((x) => x.removeAttribute("aria-invalid"));
  };
  const errorLine = (text: string, reason?: string) => el("p", { class: "field-error", "data-reason": reason ?? "" },
    el("span", { class: "verdict-label" }, `${m.serverCheck}：`), el("span", { class: "server-message" }, text),
    reason ? ` (${consoleTexts[ctx.lang].reasonLabel}: ` : "", reason ? el("code", {}, reason) : "", reason ? ")" : "");
  const showVerdict = (parts: string[], reason?: string): HTMLElement | undefined => {
    clearVerdict();
    let first: HTMLElement | undefined;
    const mark = (inputs: (HTMLInputElement | undefined)[]) => {
      for (const i of inputs) {
        if (!i) continue;
        i.setAttribute("aria-invalid", "true");
        first ??= i;
      }
    };
    for (const part of parts) {
      const place = placeOf(part);
      if (place.kind === "kpi_weight" && kpiError.isConnected) {
        kpiError.append(errorLine(part, reason));
        mark([kpiInput]);
        continue;
      }
      const block = place.section ? sectionBlocks.get(place.section) : undefined;
      if (block) {
        block.errors.append(errorLine(part, reason));
        const inSection = rows.filter((r) => sectionCode(r.section) === place.section);
        const which = place.kind === "line" ? inSection.filter((r) => r.line?.id === place.lineId) : inSection;
        mark(which.map((r) => r.inputs.weight ?? r.inputs.points ?? r.inputs.reviewer));
        continue;
      }
      // A refusal's other parts are already shown at its button.
      if (!reason) general.append(errorLine(part, reason));
    }
    return first;
  };
  const verdict = verdictOf(sheet.flags);
  showVerdict(verdict.invalid);
  for (const w of verdict.waiting) general.append(errorLine(w));

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void save();
  });
  const save = async () => {
    status.replaceChildren();
    const sent: Row[] = [];
    const lines = [];
    const removeLineIds: string[] = [];
    const n = (i?: HTMLInputElement) => (i && i.value.trim() !== "" ? Number(i.value) : undefined);
    for (const r of rows) {
      if (r.line?.satisfaction) continue;
      if (r.inputs.remove?.checked) {
        if (r.line) removeLineIds.push(r.line.id);
        continue;
      }
      const kind = kindOf(r.section);
      sent.push(r);
      lines.push({
        id: r.line?.id ?? "", section: r.section,
        title: r.inputs.title?.value.trim() ?? "", goal: r.inputs.goal?.value.trim() ?? "",
        standard: r.inputs.standard?.value.trim() ?? "", dataSource: r.line?.dataSource ?? "",
        weightPercent: kind === "points" ? 0 : n(r.inputs.weight) ?? 0,
        reviewerScore: kind === "weighted" ? n(r.inputs.reviewer) : undefined,
        subordinatesScore: kind === "management" ? n(r.inputs.subordinates) : undefined,
        superiorScore: kind === "management" ? n(r.inputs.superior) : undefined,
        points: kind === "points" ? n(r.inputs.points) ?? 0 : 0,
        confirmed: kind === "points" ? r.inputs.confirmed?.checked ?? false : false,
      });
    }
    const kpi = kpiInput && kpiInput.value.trim() !== "" ? Number(kpiInput.value) : undefined;
    try {
      await ctx.clients.appraisal.updateSheetLines({ employeeNo: sheet.employeeNo, period: sheet.period,
        lines, removeLineIds, kpiWeight: kpi });
    } catch (e) {
      status.replaceChildren(refusal(consoleTexts[ctx.lang], e));
      // A refused field ("lines[2].weight_percent", "kpi_weight") is
      // marked where it was typed.
      const field = fieldOfRefusal(e);
      const target = fieldInput(field, sent, kpiInput);
      if (target) {
        target.setAttribute("aria-invalid", "true");
        target.setAttribute("aria-errormessage", "review-status");
        target.focus();
      } else {
        (status.firstElementChild as HTMLElement | null)?.setAttribute("tabindex", "-1");
        (status.firstElementChild as HTMLElement | null)?.focus();
      }
      return;
    }
    await reload(["review-status", m.saved]);
  };
  return { element: form, showVerdict };
}

// The field the server named in its FIELD_INVALID refusal (the `field`
// trailer), e.g. "lines[2].weight_percent".
function fieldOfRefusal(e: unknown): string {
  if (refusalOf(e).reason !== "FIELD_INVALID") return "";
  return ConnectError.from(e).metadata.get("field") ?? "";
}

// "lines[2].weight_percent" -> the weight input of the third line sent.
function fieldInput(field: string, sent: Row[], kpi?: HTMLInputElement): HTMLInputElement | undefined {
  if (field === "kpi_weight") return kpi;
  const match = /^lines\[(\d+)\]\.?([a-z_]*)$/.exec(field);
  if (!match) return undefined;
  const row = sent[Number(match[1])];
  if (!row) return undefined;
  const key: Record<string, string> = { weight_percent: "weight", reviewer_score: "reviewer", title: "title",
    goal: "goal", standard: "standard", subordinates_score: "subordinates", superior_score: "superior", points: "points" };
  return row.inputs[key[match[2]] ?? ""] ?? Object.values(row.inputs)[0];
}
