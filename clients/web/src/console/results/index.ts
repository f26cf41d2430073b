// The results pages, mounted by the console's router under "#/results/…".
// Each draws what ReportService returns for the caller — the server decides
// who sees what, and a refusal is shown with its reason — and frees its
// charts when the user leaves.
import { disposeCharts } from "../charts";
import type { Page } from "../page";
import { ensureStyle } from "./common";
import { crossPage } from "./cross";
import { departmentPage } from "./department";
import { employeePage } from "./employee";
import { orgPage } from "./org";
import { trendPage } from "./trend";

const mounted = (page: Page): Page => async (root, ctx) => {
  ensureStyle();
  await page(root, ctx);
  return () => disposeCharts(root);
};

export const resultsRoutes: Record<string, Page> = {
  "results/org": mounted(orgPage),
  "results/department": mounted(departmentPage),
  "results/employee": mounted(employeePage),
  "results/trend": mounted(trendPage),
  "results/cross": mounted(crossPage),
};
