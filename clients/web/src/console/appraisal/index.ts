// The appraisal pages, mounted by the console's router under "#/appraisal/…".
// This first slice is the employee's own sheet; what each caller may see
// and do is the server's decision, and a refusal is shown with its reason.
import { el } from "../dom";
import type { Page } from "../page";
import { sheetPage } from "./sheet";
import { configPage } from "./setup_config";
import { holidaysPage } from "./setup_holidays";
import { payPage } from "./setup_pay";
import { pushPage } from "./setup_push";
import { hrAppealsPage } from "./hr_appeals";
import { hrGradingPage } from "./hr_grading";
import { hrSheetsPage } from "./hr_sheets";
import { departmentPage } from "./department";
import { reviewPage } from "./review";
import { quarterPage, unitPage } from "./unit";

function ensureStyle() {
  if (document.getElementById("appraisal-style")) return;
  document.head.append(el("link", { id: "appraisal-style", rel: "stylesheet", href: "appraisal.css" }));
}

const mounted = (page: Page): Page => async (root, ctx) => {
  ensureStyle();
  return page(root, ctx);
};

export const appraisalRoutes: Record<string, Page> = {
  "appraisal/sheet": mounted(sheetPage),
  // HR's set-up: parameters, calendar, pay profiles, the push.
  "appraisal/config": mounted(configPage),
  "appraisal/holidays": mounted(holidaysPage),
  "appraisal/pay": mounted(payPage),
  "appraisal/push": mounted(pushPage),
  "appraisal/sheets": mounted(hrSheetsPage),
  "appraisal/appeals": mounted(hrAppealsPage),
  "appraisal/grading": mounted(hrGradingPage),
  // The manager's pages (HR may name a department).
  "appraisal/department": mounted(departmentPage),
  "appraisal/review": mounted(reviewPage),
  "appraisal/unit": mounted(unitPage),
  "appraisal/quarter": mounted(quarterPage),
};
