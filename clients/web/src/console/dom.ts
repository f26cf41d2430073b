// Small DOM helpers shared by the shell and the HR pages. Everything is
// built with createElement/textContent: no HTML strings, so nothing the
// server or a CSV returns can become markup (and the CSP forbids inline
// script and style anyway).
import { Code, ConnectError } from "@connectrpc/connect";
import { refusalOf } from "./api";
import type { ConsoleTexts } from "./i18n";

type Child = Node | string | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K, attrs: Record<string, string | boolean | undefined> = {}, ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

export function table(caption: string, head: string[], rows: Child[][], numeric: number[] = []): HTMLTableElement {
  const t = el("table", {}, el("caption", {}, caption));
  const hr = el("tr");
  head.forEach((h, i) => hr.append(el("th", { scope: "col", class: numeric.includes(i) ? "num" : undefined }, h)));
  const body = el("tbody");
  for (const r of rows) {
    const tr = el("tr");
    r.forEach((c, i) => tr.append(el("td", { class: numeric.includes(i) ? "num" : undefined }, c)));
    body.append(tr);
  }
  t.append(el("thead", {}, hr), body);
  return t;
}

// A labelled input; the label wraps nothing so that axe sees `for`/`id`.
export function field(id: string, label: string, input: HTMLInputElement | HTMLSelectElement): HTMLDivElement {
  input.id = id;
  if (!input.getAttribute("name")) input.setAttribute("name", id);
  return el("div", {}, el("label", { for: id }, label), input);
}

export function dateTime(unix: bigint | number, lang: string): string {
  const n = Number(unix);
  if (!n) return "—";
  return new Intl.DateTimeFormat(lang === "zh" ? "zh-CN" : "en", { dateStyle: "medium", timeStyle: "short" })
    .format(new Date(n * 1000));
}

export function percent(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

// The server's refusal as the page shows it: a localized sentence for the
// reason, the server's own message, and the machine-readable reason.
export function refusal(t: ConsoleTexts, e: unknown): HTMLElement {
  const r = refusalOf(e);
  const err = ConnectError.from(e);
  const key = r.reason || (err.code === Code.PermissionDenied ? "PERMISSION_DENIED" :
                           err.code === Code.NotFound ? "NOT_FOUND" :
                           err.code === Code.Unauthenticated ? "UNAUTHENTICATED" : "");
  const sentence = t.reasons[key] ?? (err.code === Code.Unknown || err.code === Code.Internal ? t.failed : t.refused);
  const p = el("p", { class: "refusal", role: "alert", "data-code": r.code, "data-reason": r.reason });
  p.append(sentence);
  if (r.message) p.append(" ", el("span", { class: "server-message" }, r.message));
  p.append(" ", el("span", {}, `(${t.reasonLabel}: `), el("code", {}, r.reason || r.code), ")");
  return p;
}

// Saves `text` as a file the user downloads (the tokens never leave the
// browser for anywhere but the user's disk).
export function download(name: string, text: string, type = "text/csv;charset=utf-8") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el("a", { href: url, download: name, class: "sr" });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// RFC 4180 CSV: a line of cells, quoted where needed.
export function csvLine(cells: string[]): string {
  return cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(",") + "\n";
}

// Parses RFC 4180 CSV text into rows of cells (quoted cells, CRLF or LF).
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  const s = text.replace(/^\uFEFF/, "");
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(cell); cell = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && s[i + 1] === "\n") i++;
      row.push(cell); cell = "";
      if (row.some((x) => x !== "")) rows.push(row);
      row = [];
    } else cell += c;
  }
  row.push(cell);
  if (row.some((x) => x !== "")) rows.push(row);
  return rows;
}
