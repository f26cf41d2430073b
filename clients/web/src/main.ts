// The respondent web app: https://HOST/a/#TOKEN opens the survey of TOKEN.
// The token stays in the URL fragment (never sent to a server, proxy or
// Referer); it is sent only in the RPC bodies to survey-gateway.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { RespondService, type Survey } from "./gen/survey/v1/respond_pb";
import { initialLang, texts, type Lang, type Texts } from "./i18n";
import { outbox, type Pending } from "./outbox";

const client = createClient(
  RespondService,
  createConnectTransport({ baseUrl: new URL("/", location.href).href, useBinaryFormat: false }),
);

let lang: Lang = initialLang();
let t: Texts = texts[lang];
let token = "";
let survey: Survey | undefined;
let retryTimer: number | undefined;
let sending = false;
const chosen = new Map<number, number>();  // sub-indicator index -> score
const written = { reasons: [] as string[], comment: "" };

const app = document.getElementById("app") as HTMLElement;
const langButton = document.getElementById("lang") as HTMLButtonElement;

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

const codePoints = (s: string) => [...s].length;

function reasonOf(err: ConnectError): string {
  return err.metadata.get("reason") ?? "";
}

function retryAfter(err: ConnectError, attempt: number): number {
  const ms = Number(err.metadata.get("retry-after-ms"));
  const base = Number.isFinite(ms) && ms > 0 ? ms : 1000 * 2 ** Math.min(attempt, 5);
  return Math.min(base, 60000) * (0.8 + Math.random() * 0.4);
}

function applyLang() {
  t = texts[lang];
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.title = t.brand;
  (document.getElementById("brand") as HTMLElement).textContent = t.brand;
  langButton.textContent = t.switchTo;
  langButton.setAttribute("aria-label", t.switchLabel);
  langButton.setAttribute("lang", lang === "zh" ? "en" : "zh-CN");
  langButton.hidden = false;
}

let screen: () => void = () => {};
function show(render: () => void) {
  screen = render;
  render();
}

function outcome(title: string, body = "", live = false) {
  show(() => {
    const h = el("h1", { tabindex: "-1" }, title);
    const box = el("section", { class: "outcome", ...(live ? { role: "status" } : {}) }, h);
    if (body) box.append(el("p", {}, body));
    app.replaceChildren(box);
    h.focus();
  });
}

const screens: Record<string, () => [string, string]> = {
  thanks: () => [t.thanks, t.thanksBody],
  already: () => [t.already, t.alreadyBody],
  EXPIRED: () => [t.expired, ""],
  REVOKED: () => [t.revoked, ""],
  CAMPAIGN_NOT_OPEN: () => [t.closed, t.closedBody],
  TOKEN_UNKNOWN: () => [t.unknown, t.unknownBody],
  TOKEN_MALFORMED: () => [t.unknown, t.unknownBody],
  RATE_LIMITED: () => [t.limited, t.limitedBody],
  MESSAGE_TOO_LARGE: () => [t.tooLarge, t.tooLargeBody],
  busy: () => [t.busy, t.busyBody],
  offline: () => [t.offline, t.offlineBody],
  failed: () => [t.failed, t.failedBody],
};
function showOutcome(key: string) {
  const pick = screens[key] ?? screens.failed;
  show(() => {
    const [title, body] = pick();
    const h = el("h1", { tabindex: "-1" }, title);
    const box = el("section", { class: "outcome", role: "status", "data-outcome": key }, h);
    if (body) box.append(el("p", {}, body));
    app.replaceChildren(box);
    h.focus();
  });
}

// GetSurvey's refusals, by reason (the code when an old server sent none).
function finalKey(err: ConnectError): string | undefined {
  const reason = reasonOf(err);
  if (err.code === Code.AlreadyExists) return "already";
  if (reason in screens) return reason;
  if (err.code === Code.NotFound) return "TOKEN_UNKNOWN";
  if (err.code === Code.FailedPrecondition) return "CAMPAIGN_NOT_OPEN";
  if (err.code === Code.InvalidArgument) return "TOKEN_MALFORMED";
  return undefined;
}

async function load(attempt = 0): Promise<void> {
  if (!survey) outcome(t.loading, "", true);
  try {
    survey = await client.getSurvey({ token, locale: lang === "zh" ? "zh-CN" : "en" });
    show(renderForm);
  } catch (e) {
    const err = ConnectError.from(e);
    const key = finalKey(err);
    if (key) return showOutcome(key);
    if (err.code === Code.ResourceExhausted) return showOutcome("RATE_LIMITED");
    showOutcome(navigator.onLine ? "busy" : "offline");
    window.setTimeout(() => void load(attempt + 1), retryAfter(err, attempt));
  }
}

function renderForm() {
  const s = survey!;
  const hint = t.scoreHint(s.scaleMin, s.scaleMax);
  const form = el("form", { novalidate: "" });
  const h = el("h1", { tabindex: "-1" }, s.title);
  form.append(h);
  form.append(el("p", { class: "meta" }, `${t.rated}: ${s.subjectName}`));
  if (s.subjectDepartmentName) form.append(el("p", { class: "meta" }, `${t.department}: ${s.subjectDepartmentName}`));
  if (s.evaluatingDepartmentName) form.append(el("p", { class: "meta" }, `${t.evaluating}: ${s.evaluatingDepartmentName}`));
  const expiry = new Date(Number(s.expiresAtUnix) * 1000);
  form.append(el("p", { class: "meta" }, t.expires(
    new Intl.DateTimeFormat(lang === "zh" ? "zh-CN" : "en", { dateStyle: "long", timeStyle: "short" }).format(expiry))));
  const bands = el("ul", { class: "bands", id: "bands" });
  for (const b of s.bands) bands.append(el("li", {}, `${b.low}–${b.high}: ${b.label}`));

  let index = 0;
  s.indicators.forEach((ind, i) => {
    form.append(el("h2", {}, `${ind.label} (${t.weight(ind.weightPercent)})`));
    for (const sub of ind.subIndicators) {
      const k = index++;
      const descId = `d${k}`;
      const fs = el("fieldset", { role: "radiogroup", "aria-describedby": `${descId} bands`, "data-sub": String(k) });
      fs.append(el("legend", {}, sub.label));
      fs.append(el("p", { class: "desc", id: descId }, `${sub.description} ${hint}`));
      const scale = el("div", { class: "scale" });
      for (let v = s.scaleMin; v <= s.scaleMax; v++) {
        const band = s.bands.find((b) => v >= b.low && v <= b.high);
        const input = el("input", { type: "radio", name: `s${k}`, value: String(v) });
        if (band) input.setAttribute("aria-label", `${v} – ${band.label}`);
        if (chosen.get(k) === v) input.checked = true;
        input.addEventListener("change", () => chosen.set(k, v));
        scale.append(el("label", {}, input, el("span", { "aria-hidden": "true" }, String(v))));
      }
      fs.append(scale);
      form.append(fs);
    }
    const rid = `r${i}`;
    const area = el("textarea", { id: rid, name: rid, maxlength: String(s.reasonMaxChars * 2), "aria-describedby": `${rid}c` });
    area.value = written.reasons[i] ?? "";
    const count = el("p", { class: "count", id: `${rid}c` }, t.chars(codePoints(area.value), s.reasonMaxChars));
    area.addEventListener("input", () => {
      written.reasons[i] = area.value;
      count.textContent = t.chars(codePoints(area.value), s.reasonMaxChars);
    });
    form.append(el("label", { class: "text", for: rid }, t.reason(ind.label)), area, count);
  });
  form.append(el("h2", {}, t.comment.replace(/[（(].*$/, "").trim()), bands);
  const comment = el("textarea", { id: "comment", name: "comment", "aria-describedby": "commentc" });
  comment.value = written.comment;
  const ccount = el("p", { class: "count", id: "commentc" }, t.chars(codePoints(comment.value), s.commentMaxChars));
  comment.addEventListener("input", () => {
    written.comment = comment.value;
    ccount.textContent = t.chars(codePoints(comment.value), s.commentMaxChars);
  });
  form.append(el("label", { class: "text", for: "comment" }, t.comment), comment, ccount);
  const error = el("p", { class: "error", id: "form-error", role: "alert" });
  const button = el("button", { type: "submit", class: "primary" }, t.submit);
  form.append(error, button);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const total = s.indicators.reduce((n, ind) => n + ind.subIndicators.length, 0);
    const missing = [...Array(total).keys()].filter((k) => !chosen.has(k));
    if (missing.length > 0) {
      error.textContent = t.missing(missing.length);
      (form.querySelector(`fieldset[data-sub="${missing[0]}"] input`) as HTMLInputElement)?.focus();
      return;
    }
    const tooLong = written.reasons.some((r) => codePoints(r ?? "") > s.reasonMaxChars) ||
      codePoints(written.comment) > s.commentMaxChars;
    if (tooLong) {
      error.textContent = t.tooLargeBody;
      return;
    }
    button.disabled = true;
    button.textContent = t.sending;
    const pending: Pending = {
      token,
      submissionId: randomId(),
      scores: [...Array(total).keys()].map((k) => chosen.get(k)!),
      reasons: s.indicators.map((_, i) => written.reasons[i] ?? ""),
      comment: written.comment,
    };
    void outbox.put(pending).catch(() => undefined).then(() => send(pending, 0));
  });
  app.replaceChildren(form);
  h.focus();
}

// A random UUID (v4). Not crypto.randomUUID(): that exists only in secure
// contexts, and the quick start serves phones over plain http://LAN-ADDRESS.
function randomId(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const utf8 = new TextEncoder();

// Submit with the proto's retry rule: OK or ALREADY_EXISTS = delivered;
// INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION = stop; anything else
// (including no reply) = the same answer with the same token again.
async function send(p: Pending, attempt: number): Promise<void> {
  if (sending) return;
  sending = true;
  window.clearTimeout(retryTimer);
  try {
    await client.submit({
      token: p.token,
      submissionId: p.submissionId,
      scores: p.scores,
      reasons: p.reasons.map((r) => utf8.encode(r)),
      comment: utf8.encode(p.comment),
    });
    await outbox.remove(p.token).catch(() => undefined);
    showOutcome("thanks");
  } catch (e) {
    const err = ConnectError.from(e);
    const reason = reasonOf(err);
    if (err.code === Code.AlreadyExists) {
      await outbox.remove(p.token).catch(() => undefined);
      showOutcome("thanks");
    } else if (err.code === Code.InvalidArgument && reason === "FIELD_INVALID" && survey) {
      await outbox.remove(p.token).catch(() => undefined);
      show(renderForm);
      (document.getElementById("form-error") as HTMLElement).textContent = t.fieldInvalid;
    } else if (err.code === Code.InvalidArgument || err.code === Code.NotFound ||
               err.code === Code.FailedPrecondition || reason === "MESSAGE_TOO_LARGE") {
      await outbox.remove(p.token).catch(() => undefined);
      showOutcome(finalKey(err) ?? reason ?? "failed");
    } else {
      showOutcome(!navigator.onLine ? "offline" :
                  err.code === Code.ResourceExhausted ? "RATE_LIMITED" : "busy");
      retryTimer = window.setTimeout(() => void send(p, attempt + 1), retryAfter(err, attempt));
    }
  } finally {
    sending = false;
  }
}

async function start() {
  applyLang();
  langButton.addEventListener("click", () => {
    lang = lang === "zh" ? "en" : "zh";
    try { localStorage.setItem("lang", lang); } catch { /* ignore */ }
    applyLang();
    if (survey && screen === renderForm) void load();
    else screen();
  });
  token = decodeURIComponent(location.hash.slice(1)).trim();
  if (!token) return outcome(t.noToken, t.unknownBody);
  const pending = await outbox.get(token).catch(() => undefined);
  if (pending) {
    window.addEventListener("online", () => void send(pending, 0));
    return void send(pending, 0);
  }
  window.addEventListener("online", () => {
    void outbox.get(token).then((p) => p && send(p, 0)).catch(() => undefined);
  });
  await load();
}

if ("serviceWorker" in navigator) {
  void navigator.serviceWorker.register("sw.js", { scope: "./" }).catch(() => undefined);
}
window.addEventListener("hashchange", () => location.reload());
void start();
