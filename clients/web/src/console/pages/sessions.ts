// "#/sessions" (admins): live sign-in sessions, newest first, each one
// revocable (never the secret: the server does not have it).
import { dateTime, el, refusal, table } from "../dom";
import { consoleTexts } from "../i18n";
import type { Page, PageContext } from "../page";

async function draw(box: HTMLElement, ctx: PageContext) {
  const t = consoleTexts[ctx.lang];
  const { sessions } = await ctx.clients.account.listSessions({});
  if (!sessions.length) return void box.replaceChildren(el("p", {}, t.noSessions));
  const rows = sessions.map((s) => {
    const b = el("button", { type: "button", class: "danger", "data-session": s.sessionId,
      "aria-label": `${t.revokeSession}: ${s.accountName} ${dateTime(s.createdAtUnix, ctx.lang)}` }, t.revokeSession);
    b.addEventListener("click", async () => {
      try {
        await ctx.clients.account.revokeSession({ sessionId: s.sessionId });
        await draw(box, ctx);
        box.prepend(el("p", { class: "ok", role: "status" }, t.sessionRevoked));
      } catch (e) {
        box.prepend(refusal(t, e));
      }
    });
    return [s.accountName, dateTime(s.createdAtUnix, ctx.lang), dateTime(s.lastSeenUnix, ctx.lang),
      dateTime(s.expiresAtUnix, ctx.lang), s.clientAddress, b];
  });
  box.replaceChildren(table(t.sessionsTitle, [t.colAccount, t.colCreated, t.colLastSeen, t.colExpires,
    t.colAddress, t.colAction], rows));
}

export const sessionsPage: Page = async (root, ctx) => {
  const t = consoleTexts[ctx.lang];
  const box = el("div", { id: "sessions" });
  root.append(el("h1", {}, t.sessionsTitle), box);
  await draw(box, ctx);
};
