// "#/campaigns/ID": one campaign. Open (DRAFT), close (OPEN, after a
// confirmation), issue and revoke invitations, and its live participation,
// refreshed every few seconds while it is open (the timer stops when the
// user leaves the page or the campaign closes).
import { CampaignKind, CampaignState, type Campaign } from "../../gen/survey/v1/common_pb";
import { el, refusal } from "../dom";
import { consoleTexts, type ConsoleTexts } from "../i18n";
import type { Page, PageContext } from "../page";
import { campaignTitle, stateBadge } from "./campaigns";
import { issueCard, revokeCard } from "./invitations";
import { drawParticipation } from "./participation";

const kRefreshMs = 5000;

function confirmClose(t: ConsoleTexts): Promise<boolean> {
  return new Promise((resolve) => {
    const yes = el("button", { type: "button", class: "danger", id: "confirm-close" }, t.confirmYes);
    const no = el("button", { type: "button", id: "cancel-close" }, t.cancel);
    const dialog = el("dialog", { "aria-labelledby": "confirm-text" },
      el("p", { id: "confirm-text" }, t.confirmClose), el("div", { class: "actions" }, no, yes));
    const finish = (v: boolean) => { dialog.close(); dialog.remove(); resolve(v); };
    yes.addEventListener("click", () => finish(true));
    no.addEventListener("click", () => finish(false));
    dialog.addEventListener("cancel", () => finish(false));
    document.body.append(dialog);
    dialog.showModal();
    no.focus();
  });
}

function header(ctx: PageContext, t: ConsoleTexts, c: Campaign): HTMLElement {
  const dl = el("dl", { class: "grid-kv" });
  const kv = (k: string, v: Node | string) => dl.append(el("dt", {}, k), el("dd", {}, v));
  kv(t.colKind, t.kinds[c.kind] ?? "");
  kv(t.colPeriod, c.period);
  kv(t.colState, stateBadge(t, c.state));
  kv(t.template, `${c.templateKey} v${c.templateVersion || "—"}`);
  kv("k", String(c.anonymityK));
  const results = c.kind === CampaignKind.CROSS_EVALUATION ? "results/cross" : "results/org";
  return el("div", {}, dl,
    c.state === CampaignState.DRAFT ? el("p", { class: "note" }, t.draftHint) : "",
    c.state === CampaignState.CLOSED
      ? el("p", {}, el("a", { href: `#/${results}?range=${c.period}&campaign=${encodeURIComponent(c.id)}` }, t.resultsLink))
      : "");
}

export const campaignPage: Page = async (root, ctx) => {
  const t = consoleTexts[ctx.lang];
  const id = ctx.route[1];
  let campaign = await ctx.clients.admin.getCampaign({ id });
  const title = campaignTitle(campaign, ctx.lang);
  let timer: number | undefined;
  let busy = false;
  let left = false;

  const head = el("div", { id: "campaign-head" });
  const actions = el("div", { class: "actions", id: "campaign-actions" });
  const actionStatus = el("div", { "aria-live": "polite" });
  const work = el("div", { id: "campaign-work" });
  const participation = el("div", { id: "participation", "aria-live": "off" });

  const refresh = async () => {
    if (busy || left) return;
    busy = true;
    try {
      const live = campaign.state === CampaignState.OPEN;
      const now = await drawParticipation(participation, ctx, t, id, live);
      if (now.state !== campaign.state) { campaign = now; draw(); }
    } catch (e) {
      participation.replaceChildren(refusal(t, e));
    } finally {
      busy = false;
    }
  };
  const schedule = () => {
    window.clearInterval(timer);
    timer = undefined;
    if (campaign.state === CampaignState.OPEN && !left) timer = window.setInterval(() => void refresh(), kRefreshMs);
  };

  const transition = async (to: "open" | "close") => {
    actionStatus.replaceChildren();
    if (to === "close" && !(await confirmClose(t))) return;
    try {
      campaign = to === "open" ? await ctx.clients.admin.openCampaign({ id })
                               : await ctx.clients.admin.closeCampaign({ id });
      draw();
      void refresh();
    } catch (e) {
      actionStatus.append(refusal(t, e));
    }
  };

  function draw() {
    head.replaceChildren(header(ctx, t, campaign));
    actions.replaceChildren();
    if (campaign.state === CampaignState.DRAFT) {
      const b = el("button", { type: "button", class: "primary", id: "open-campaign" }, t.open);
      b.addEventListener("click", () => void transition("open"));
      actions.append(b);
    } else if (campaign.state === CampaignState.OPEN) {
      const b = el("button", { type: "button", class: "danger", id: "close-campaign" }, t.close);
      b.addEventListener("click", () => void transition("close"));
      actions.append(b);
    }
    // Issuing keeps its card (and any batch not yet downloaded) across an
    // open; a closed campaign takes no invitations.
    if (campaign.state === CampaignState.CLOSED) work.replaceChildren();
    else if (!work.firstChild) work.append(issueCard(ctx, t, campaign, title, () => void refresh()), revokeCard(ctx, t));
    schedule();
  }

  root.append(el("p", { class: "no-print" }, el("a", { href: "#/campaigns" }, t.back)),
    el("h1", { "data-campaign": id }, title), head, actions, actionStatus, work,
    el("section", { class: "card" }, el("h2", {}, t.participationTitle), participation));
  draw();
  await refresh();
  return () => {
    left = true;
    window.clearInterval(timer);
    document.body.classList.remove("printing");
  };
};
