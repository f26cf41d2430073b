// #/appraisal/holidays?year=YYYY: the working-day calendar the server counts
// the data due dates and appeal deadlines on (GetHolidays / SetHolidays):
// public holidays and weekend days worked, one year at a time. Saving
// replaces the year's lists; the server checks every date (in the year, no
// day both, make-up days on weekends) and its refusal names the entry.
import type { SetHolidaysResponse } from "../../gen/survey/v1/appraisal_pb";
import { el } from "../dom";
import type { Page, PageContext } from "../page";
import {
  SETUP_YEAR, ensureSetupStyle, setupDone, setupFrame, setupOk, setupRefusal, setupTexts, whereOf,
  zoneLine,
} from "./setup_common";

// Dates typed or pasted one per line (commas, spaces and Chinese commas too).
export function holidayDates(text: string): string[] {
  return text.split(/[\s,，、;；]+/).map((d) => d.trim()).filter((d) => d !== "");
}

function calendarTable(ctx: PageContext, year: SetHolidaysResponse): HTMLElement {
  const s = setupTexts(ctx);
  const days = [...year.dates.map((d) => ({ d, kind: "holiday" })),
    ...year.extraWorkingDays.map((d) => ({ d, kind: "extra" }))].sort((a, b) => a.d.localeCompare(b.d));
  if (days.length === 0) return el("p", { id: "calendar-empty" }, s.noDays);
  const body = el("tbody");
  for (const { d, kind } of days) {
    body.append(el("tr", { "data-date": d, "data-kind": kind },
      el("td", {}, d),
      el("td", {}, s.weekdays[new Date(`${d}T00:00:00Z`).getUTCDay()]),
      el("td", {}, kind === "holiday" ? s.holiday : s.extraDay)));
  }
  return el("div", { class: "scroll", role: "region", tabindex: "0", "aria-labelledby": "calendar-heading" },
    el("table", { "data-table": "calendar" }, el("caption", { class: "sr" }, s.storedCalendar(year.year)),
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, s.date), el("th", { scope: "col" }, s.weekday),
        el("th", { scope: "col" }, s.kind))), body));
}

export const holidaysPage: Page = async (root, ctx) => {
  ensureSetupStyle();
  const s = setupTexts(ctx);
  const asked = ctx.params.get("year") ?? "";
  const yearText = SETUP_YEAR.test(asked) ? asked : String(new Date().getFullYear());
  const { page, body } = setupFrame(ctx, "holidays", s.holidaysTitle, { name: "year", value: yearText });
  root.replaceChildren(page);
  // The zone the deadlines are counted in, from the month's configuration
  // (HR reads it; anyone else simply does not see the line).
  let zone = "";
  try {
    zone = (await ctx.clients.appraisal.getPeriodConfig({ period: `${yearText}-01` })).timeZone;
  } catch { /* not HR: the server refuses, the calendar is still readable */ }
  const redraw = async (note?: string) => {
    let year: SetHolidaysResponse;
    try {
      year = await ctx.clients.appraisal.getHolidays({ year: yearText });
    } catch (e) {
      body.replaceChildren(setupRefusal(ctx, e));
      setupDone(body);
      return;
    }
    const holidays = el("textarea", { id: "holiday-dates", name: "dates", rows: "8",
      "aria-describedby": "holidays-hint holiday-dates-error", spellcheck: "false" });
    holidays.value = year.dates.join("\n");
    const extra = el("textarea", { id: "extra-days", name: "extra_working_days", rows: "4",
      "aria-describedby": "holidays-hint extra-days-error", spellcheck: "false" });
    extra.value = year.extraWorkingDays.join("\n");
    const status = el("div", { class: "action-status", id: "holidays-status", "aria-live": "polite" });
    const form = el("form", { id: "holidays-form", class: "setup-form" },
      el("p", { class: "hint", id: "holidays-hint" }, s.holidaysHint),
      el("div", { class: "setup-field wide" }, el("label", { for: "holiday-dates" }, s.holidaysLabel), holidays,
        el("span", { class: "field-error", id: "holiday-dates-error" })),
      el("div", { class: "setup-field wide" }, el("label", { for: "extra-days" }, s.extraLabel), extra,
        el("span", { class: "field-error", id: "extra-days-error" })),
      el("button", { type: "submit", id: "save-holidays" }, s.save), status);
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      void (async () => {
        status.replaceChildren();
        form.querySelectorAll(".field-error").forEach((n) => n.replaceChildren());
        form.querySelectorAll("[aria-invalid]").forEach((n) => n.removeAttribute("aria-invalid"));
        try {
          await ctx.clients.appraisal.setHolidays({ year: yearText, dates: holidayDates(holidays.value),
            extraWorkingDays: holidayDates(extra.value) });
        } catch (e) {
          // "dates[2]: …" names the list and the entry: the refusal goes
          // under that list, which gets the focus.
          status.replaceChildren(setupRefusal(ctx, e));
          const field = whereOf(e).field;
          const target = field.startsWith("extra_working_days") ? extra : field.startsWith("dates") ? holidays : null;
          if (target) {
            target.setAttribute("aria-invalid", "true");
            form.querySelector(`#${target.id}-error`)?.replaceChildren(setupRefusal(ctx, e));
            target.focus();
          }
          return;
        }
        await redraw(s.saved);
      })();
    });
    body.replaceChildren(
      zone ? zoneLine(ctx, zone) : "",
      form,
      el("h2", { id: "calendar-heading" }, s.storedCalendar(year.year)),
      el("p", { id: "calendar-counts", "data-holidays": String(year.dates.length),
        "data-extra": String(year.extraWorkingDays.length) }, s.counts(year.dates.length, year.extraWorkingDays.length)),
      calendarTable(ctx, year));
    setupDone(body);
    if (note) setupOk(status, note);
  };
  await redraw();
};
