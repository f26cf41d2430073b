// Words for what the server records: the sheet's flags and, for each entry
// of its history, what changed between the stored before and after (the
// state, and per line its weight and scores). The raw codes stay in the
// data attributes; these are only the readable side.
import type { AppraisalTexts } from "../i18n_appraisal";

const STATES = ["", "draft", "submitted", "confirmed", "appeal_window", "final"];

export function flagText(a: AppraisalTexts, flag: string): string {
  const colon = flag.indexOf(": ");
  if (colon > 0) {
    const kind = flag.slice(0, colon);
    const word = kind === "waiting" ? a.waiting : kind === "invalid" ? a.invalid : kind;
    return `${word}：${flag.slice(colon + 2)}`;
  }
  return a.flagWords[flag] ?? flag;
}

interface LineJson { id?: string; title?: string; weight?: number; self_score?: number | null;
  reviewer_score?: number | null; points?: number; confirmed?: boolean }
interface SheetJson { state?: string; lines?: LineJson[] }

function parse(text: string): SheetJson | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text);
    return v && typeof v === "object" ? v as SheetJson : undefined;
  } catch {
    return undefined;
  }
}

const show = (v: unknown) => (v === null || v === undefined ? "—" : String(v));

// "状态：草稿 → 已提交；工单及时率 自评 — → 85" (empty when the JSON is not a
// sheet, e.g. an appeal's record).
export function changeText(a: AppraisalTexts, before: string, after: string): string {
  const b = parse(before), n = parse(after);
  if (!n || !Array.isArray(n.lines)) return "";
  if (!b) return a.created;
  const out: string[] = [];
  const stateName = (s?: string) => a.states[STATES.indexOf(s ?? "")] ?? show(s);
  if (b.state !== n.state) out.push(`${a.state}: ${stateName(b.state)} → ${stateName(n.state)}`);
  const old = new Map((b.lines ?? []).map((l) => [l.id, l]));
  const fields: [keyof LineJson, string][] = [["weight", a.weight], ["self_score", a.selfScore],
    ["reviewer_score", a.reviewerScore], ["points", a.points], ["confirmed", a.counted]];
  for (const l of n.lines) {
    const o = old.get(l.id);
    old.delete(l.id);
    if (!o) { out.push(`${a.added} ${l.title ?? l.id}`); continue; }
    for (const [f, label] of fields) {
      if (show(o[f]) !== show(l[f])) out.push(`${l.title ?? l.id} ${label} ${show(o[f])} → ${show(l[f])}`);
    }
  }
  for (const l of old.values()) out.push(`${a.removed} ${l.title ?? l.id}`);
  return out.join("; ");
}
