// Live participation of one campaign: answers, invitations and response
// rate for the whole campaign (AdminService.GetCampaign) and per department
// and employee (ReportService, for the campaign's month; counts are
// released while a campaign is open, scores only after it closes).
import type { Campaign } from "../../gen/survey/v1/common_pb";
import { CampaignKind, Suppression, type Figure } from "../../gen/survey/v1/common_pb";
import type { Figures, RankedSubject } from "../../gen/survey/v1/report_pb";
import { el, percent, table } from "../dom";
import type { ConsoleTexts } from "../i18n";
import type { PageContext } from "../page";

const kSuppressionText: Record<number, [string, string]> = {
  [Suppression.BELOW_THRESHOLD]: ["< k", "below k"],
  [Suppression.COMPLEMENTARY]: ["隐藏", "withheld"],
  [Suppression.CAMPAIGN_OPEN]: ["进行中", "open"],
  [Suppression.NO_DATA]: ["无数据", "no data"],
};

function fig(f: Figure | undefined, lang: string, asRate = false): string {
  if (!f) return "—";
  if (f.suppression !== Suppression.NONE) return (kSuppressionText[f.suppression] ?? ["—", "—"])[lang === "en" ? 1 : 0];
  return asRate ? percent(f.value) : String(Math.round(f.value));
}

function counts(f: Figures | undefined, lang: string): string[] {
  return [fig(f?.responses, lang), fig(f?.invitations, lang), fig(f?.responseRate, lang, true)];
}

async function organisation(ctx: PageContext, month: string) {
  const departments: RankedSubject[] = [];
  const employees: RankedSubject[] = [];
  let pageToken = "";
  for (let i = 0; i < 50; i++) {
    const r = await ctx.clients.report.getOrganisationReport({ range: { range: { case: "month", value: month } },
      pageSize: 500, pageToken });
    departments.push(...r.departments);
    employees.push(...r.employees);
    pageToken = r.nextPageToken;
    if (!pageToken) break;
  }
  return { departments, employees };
}

const name = (s: RankedSubject) => {
  const code = s.subject?.kind.value ?? "";
  return s.subject?.displayName ? `${s.subject.displayName} (${code})` : code;
};

// Draws the figures into `box`; returns the campaign as now read.
export async function drawParticipation(box: HTMLElement, ctx: PageContext, t: ConsoleTexts,
                                        id: string, live: boolean): Promise<Campaign> {
  const c = await ctx.clients.admin.getCampaign({ id });
  const issued = Number(c.invitationsIssued);
  const answered = Number(c.responses);
  const parts: (HTMLElement | string)[] = [];
  parts.push(table(t.campaignLevel, [t.colResponses, t.colInvitations, t.colRate],
    [[String(answered), String(issued), issued ? percent(answered / issued) : "—"]], [0, 1, 2]));
  const { campaigns } = await ctx.clients.admin.listCampaigns({ period: c.period });
  const others = campaigns.filter((x) => x.id !== c.id && x.kind === c.kind && x.state !== 1).length;
  parts.push(el("p", { class: "meta" }, t.periodNote(c.period)));
  if (others) parts.push(el("p", { class: "note" }, t.otherCampaigns(others)));
  const head = [t.colResponses, t.colInvitations, t.colRate];
  if (c.kind === CampaignKind.CROSS_EVALUATION) {
    const r = await ctx.clients.report.getCrossEvaluationReport({ range: { range: { case: "month", value: c.period } } });
    parts.push(table(t.byRated, [t.colDepartment, ...head],
      r.rows.map((row) => [row.ratedDepartmentCode, ...counts(row.overall, ctx.lang)]), [1, 2, 3]));
  } else {
    const org = await organisation(ctx, c.period);
    parts.push(table(t.byDepartment, [t.colDepartment, ...head],
      org.departments.map((d) => [name(d), ...counts(d.figures, ctx.lang)]), [1, 2, 3]));
    // Employees without invitations in the month would only add rows of
    // zeros: the table lists those invited.
    const invited = org.employees.filter((e) => (e.figures?.invitations?.value ?? 0) > 0 ||
      (e.figures?.responses?.value ?? 0) > 0);
    parts.push(table(t.byEmployee, [t.colEmployee, t.colDepartment, ...head],
      invited.map((e) => [name(e), e.subject?.departmentCodeOfEmployee ?? "", ...counts(e.figures, ctx.lang)]),
      [2, 3, 4]));
  }
  const time = new Intl.DateTimeFormat(ctx.lang === "zh" ? "zh-CN" : "en", { timeStyle: "medium" }).format(new Date());
  box.replaceChildren(el("p", { class: "meta", id: "participation-updated" },
    live ? t.refreshing(time) : t.finalFigures(time)), ...parts);
  box.dataset.responses = String(answered);
  box.dataset.invitations = String(issued);
  return c;
}
