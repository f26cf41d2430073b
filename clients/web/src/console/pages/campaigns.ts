// "#/campaigns": every campaign, and the form that creates a DRAFT one
// (the fields of AdminService.CreateCampaign, as `surveyctl campaign create`).
import { CampaignKind, CampaignState, type Campaign } from "../../gen/survey/v1/common_pb";
import { el, field, percent, refusal, table } from "../dom";
import { consoleTexts, type ConsoleTexts } from "../i18n";
import type { ConsoleLang, Page, PageContext } from "../page";

export function campaignTitle(c: Campaign, lang: ConsoleLang): string {
  const t = c.title;
  return (lang === "en" ? t?.en || t?.zh : t?.zh || t?.en) || c.id;
}

export function stateBadge(t: ConsoleTexts, state: CampaignState): HTMLElement {
  const cls = state === CampaignState.OPEN ? "open" : state === CampaignState.CLOSED ? "closed" : "draft";
  return el("span", { class: `state state-${cls}`, "data-state": cls }, t.states[state] ?? "");
}

function thisMonth(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
}

async function createForm(ctx: PageContext, t: ConsoleTexts): Promise<HTMLElement> {
  const template = el("select", {});
  try {
    const { templates } = await ctx.clients.admin.listTemplates({});
    const latest = new Map<string, number>();
    for (const tp of templates) latest.set(tp.key, Math.max(latest.get(tp.key) ?? 0, tp.version));
    for (const tp of templates) {
      if (latest.get(tp.key) !== tp.version) continue;
      const name = (ctx.lang === "en" ? tp.name?.en : tp.name?.zh) || tp.key;
      template.append(el("option", { value: tp.key, selected: tp.key === "default" }, `${name} (${tp.key} v${tp.version})`));
    }
  } catch { /* the create call names the problem if the list failed */ }
  if (!template.options.length) template.append(el("option", { value: "default" }, "default"));
  const kind = el("select", {},
    el("option", { value: String(CampaignKind.CUSTOMER_SATISFACTION) }, t.kinds[1]),
    el("option", { value: String(CampaignKind.CROSS_EVALUATION) }, t.kinds[2]));
  const period = el("input", { type: "text", value: thisMonth(), pattern: "\\d{4}-\\d{2}", required: true, inputmode: "numeric" });
  const titleZh = el("input", { type: "text" });
  const titleEn = el("input", { type: "text" });
  const k = el("input", { type: "number", min: "3", value: "5", required: true });
  const commentK = el("input", { type: "number", min: "3", value: "10", required: true });
  const status = el("div", { "aria-live": "polite" });
  const button = el("button", { type: "submit", class: "primary" }, t.create);
  const form = el("form", { class: "stack", id: "create-campaign", novalidate: true },
    field("template", t.template, template), field("kind", t.kind, kind), field("period", t.period, period),
    field("title-zh", t.titleZh, titleZh), field("title-en", t.titleEn, titleEn),
    field("k", t.k, k), field("comment-k", t.commentK, commentK), status, button);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    status.replaceChildren();
    button.disabled = true;
    try {
      const created = await ctx.clients.admin.createCampaign({ campaign: {
        kind: Number(kind.value) as CampaignKind, period: period.value.trim(), templateKey: template.value,
        templateVersion: 0, title: { zh: titleZh.value.trim(), en: titleEn.value.trim() },
        anonymityK: Number(k.value), commentK: Number(commentK.value) } });
      ctx.navigate(`/campaigns/${encodeURIComponent(created.id)}`);
    } catch (e) {
      status.append(refusal(t, e));
    } finally {
      button.disabled = false;
    }
  });
  return el("section", { class: "card" }, el("h2", {}, t.newCampaign), form);
}

export const campaignsPage: Page = async (root, ctx) => {
  const t = consoleTexts[ctx.lang];
  root.append(el("h1", {}, t.campaignsTitle));
  const { campaigns } = await ctx.clients.admin.listCampaigns({});
  if (!campaigns.length) root.append(el("p", {}, t.noCampaigns));
  else {
    const rows = [...campaigns].sort((a, b) => b.period.localeCompare(a.period)).map((c) => {
      const issued = Number(c.invitationsIssued);
      const answered = Number(c.responses);
      return [
        el("a", { href: `#/campaigns/${encodeURIComponent(c.id)}`, "data-campaign": c.id }, campaignTitle(c, ctx.lang)),
        t.kinds[c.kind] ?? "", c.period, stateBadge(t, c.state),
        String(issued), String(answered), issued ? percent(answered / issued) : "—",
      ];
    });
    root.append(table(t.campaignsTitle, [t.colTitle, t.colKind, t.colPeriod, t.colState,
      t.colInvitations, t.colResponses, t.colRate], rows, [4, 5, 6]));
  }
  root.append(await createForm(ctx, t));
};
