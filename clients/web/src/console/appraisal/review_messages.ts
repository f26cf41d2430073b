// Where the server's verdict on a sheet's lines goes in the editor. The
// server states it in two places: the sheet's own "invalid: …" / "waiting:
// …" flag (ScoreSheet's message, on every read) and the refusal of a
// submit. Both join one problem per "; "-separated part, and each part
// names what it is about with the server's own codes: `section kpi …`,
// `line 2 "L3" (kpi): …` or `kpi_weight …`. The page only routes a part to
// the field it names (never decides whether weights add up); a part that
// names nothing known stays in the editor's general slot.

export interface MessagePlace {
  kind: "section" | "line" | "kpi_weight" | "general";
  section?: string;  // the server's section code, e.g. "kpi", "work_goals"
  lineId?: string;   // e.g. "L3"
}

const SECTION_CODES = new Set(["kpi", "work_goals", "behaviour", "management", "incidents", "bonus",
  "morality", "diligence", "ability", "performance"]);

// "invalid: a; b" -> ["a", "b"]; also takes a refusal's whole message.
export function messageParts(text: string): string[] {
  return text.split("; ").map((p) => p.trim()).filter((p) => p !== "");
}

export function placeOf(part: string): MessagePlace {
  if (/\bkpi_weight\b/.test(part)) return { kind: "kpi_weight" };
  const line = /\bline \d+ "([^"]+)" \(([a-z_]+)\)/.exec(part);
  if (line && SECTION_CODES.has(line[2]) && !/waiting for the score/.test(part)) {
    return { kind: "line", lineId: line[1], section: line[2] };
  }
  const section = /\bsection ([a-z_]+)\b/.exec(part);
  if (section && SECTION_CODES.has(section[1])) return { kind: "section", section: section[1] };
  return { kind: "general" };
}

// The sheet's flags that carry the server's verdict on its lines.
export function verdictOf(flags: string[]): { invalid: string[]; waiting: string[] } {
  const invalid: string[] = [], waiting: string[] = [];
  for (const f of flags) {
    if (f.startsWith("invalid: ")) invalid.push(...messageParts(f.slice("invalid: ".length)));
    else if (f.startsWith("waiting: ")) waiting.push(f.slice("waiting: ".length));
  }
  return { invalid, waiting };
}
