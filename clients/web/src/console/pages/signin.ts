// Sign-in, first activation with the one-time code, and password change.
// The gateway takes the session out of the answer and sets the HttpOnly
// cookie; this page only ever sees `me`.
import type { Me } from "../../gen/survey/v1/account_pb";
import { el, field, refusal } from "../dom";
import { consoleTexts, type ConsoleTexts } from "../i18n";
import type { Clients, ConsoleLang, Page } from "../page";

export interface PublicContext {
  t: ConsoleTexts;
  lang: ConsoleLang;
  clients: Clients;
  params: URLSearchParams;
  done(me: Me | undefined): void;
  navigate(path: string): void;
}

function input(type: string, autocomplete: string, extra: Record<string, string> = {}): HTMLInputElement {
  return el("input", { type, autocomplete, required: true, ...extra });
}

function keepNext(ctx: PublicContext, path: string): string {
  const next = ctx.params.get("next");
  return next ? `${path}?next=${encodeURIComponent(next)}` : path;
}

export function signInPage(root: HTMLElement, ctx: PublicContext) {
  const { t } = ctx;
  const account = input("text", "username");
  const password = input("password", "current-password");
  const error = el("div", { id: "signin-error", "aria-live": "assertive" });
  const button = el("button", { type: "submit", class: "primary" }, t.signIn);
  const form = el("form", { class: "stack", id: "signin-form", novalidate: true },
    field("account", t.account, account), field("password", t.password, password), error, button);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.replaceChildren();
    if (!account.value.trim() || !password.value) {
      error.append(el("p", { class: "error", role: "alert" }, t.fillAll));
      return;
    }
    button.disabled = true;
    button.textContent = t.signingIn;
    try {
      const answer = await ctx.clients.account.signIn({ accountName: account.value.trim(), password: password.value });
      ctx.done(answer.me);
    } catch (e) {
      password.value = "";
      error.append(refusal(t, e));
      password.focus();
    } finally {
      button.disabled = false;
      button.textContent = t.signIn;
    }
  });
  root.replaceChildren(el("section", { class: "signin" },
    el("h1", { tabindex: "-1" }, t.signInTitle),
    ctx.params.get("out") ? el("p", { class: "ok", role: "status" }, t.signedOut) : "",
    form,
    el("p", {}, el("a", { href: "#" + keepNext(ctx, "/activate"), id: "to-activate" }, t.toActivate))));
  account.focus();
}

export function activatePage(root: HTMLElement, ctx: PublicContext) {
  const { t } = ctx;
  const account = input("text", "username", { value: ctx.params.get("account") ?? "" });
  const code = input("text", "one-time-code", { spellcheck: "false" });
  const pw1 = input("password", "new-password");
  const pw2 = input("password", "new-password");
  const error = el("div", { id: "activate-error", "aria-live": "assertive" });
  const button = el("button", { type: "submit", class: "primary" }, t.activate);
  const form = el("form", { class: "stack", id: "activate-form", novalidate: true },
    field("account", t.account, account), field("code", t.activationCode, code),
    field("new-password", t.newPassword, pw1), field("new-password-again", t.newPasswordAgain, pw2),
    error, button);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.replaceChildren();
    if (!account.value.trim() || !code.value.trim() || !pw1.value) {
      error.append(el("p", { class: "error", role: "alert" }, t.fillAll));
      return;
    }
    if (pw1.value !== pw2.value) {
      error.append(el("p", { class: "error", role: "alert" }, t.mismatch));
      pw2.focus();
      return;
    }
    button.disabled = true;
    try {
      const answer = await ctx.clients.account.activate({
        accountName: account.value.trim(), activationCode: code.value.trim(), newPassword: pw1.value });
      ctx.done(answer.me);
    } catch (e) {
      error.append(refusal(t, e));
    } finally {
      button.disabled = false;
    }
  });
  root.replaceChildren(el("section", { class: "signin" },
    el("h1", { tabindex: "-1" }, t.activateTitle), form,
    el("p", {}, el("a", { href: "#" + keepNext(ctx, "/signin") }, t.toSignIn))));
  account.focus();
}

export const passwordPage: Page = (root, ctx) => {
  const t = consoleTexts[ctx.lang];
  const current = input("password", "current-password");
  const pw1 = input("password", "new-password");
  const pw2 = input("password", "new-password");
  const status = el("div", { "aria-live": "polite" });
  const button = el("button", { type: "submit", class: "primary" }, t.change);
  const form = el("form", { class: "stack", id: "password-form", novalidate: true },
    field("current-password", t.currentPassword, current), field("new-password", t.newPassword, pw1),
    field("new-password-again", t.newPasswordAgain, pw2), status, button);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    status.replaceChildren();
    if (pw1.value !== pw2.value) {
      status.append(el("p", { class: "error", role: "alert" }, t.mismatch));
      return;
    }
    button.disabled = true;
    try {
      await ctx.clients.account.changePassword({ currentPassword: current.value, newPassword: pw1.value });
      form.reset();
      status.append(el("p", { class: "ok", role: "status" }, t.changed));
    } catch (e) {
      status.append(refusal(t, e));
    } finally {
      button.disabled = false;
    }
  });
  root.append(el("h1", {}, t.changeTitle), el("section", { class: "card" }, form));
};
