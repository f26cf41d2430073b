// The contract between the console's shell (router, sign-in, navigation)
// and its pages. A page draws itself into `root` from what the server
// returns through `ctx.clients`; it never decides who may see what (the
// server does, and a refusal is shown as the server's answer).
import type { Client } from "@connectrpc/connect";
import type { AccountService, Me } from "../gen/survey/v1/account_pb";
import type { AdminService } from "../gen/survey/v1/admin_pb";
import type { AppraisalService } from "../gen/survey/v1/appraisal_pb";
import type { ReportService } from "../gen/survey/v1/report_pb";

export type ConsoleLang = "zh" | "en";

export interface Clients {
  account: Client<typeof AccountService>;
  admin: Client<typeof AdminService>;
  report: Client<typeof ReportService>;
  appraisal: Client<typeof AppraisalService>;
}

export interface PageContext {
  me: Me;
  clients: Clients;
  lang: ConsoleLang;
  // The route after "#/", split on "/" and decoded: "#/results/department/D01?campaign=C"
  // gives ["results", "department", "D01"]; the query part is `params`.
  route: string[];
  params: URLSearchParams;
  // Moves to another bookmarkable place, e.g. navigate("/results/org?campaign=C").
  navigate(path: string): void;
}

// Draws the page. The returned function, if any, is called when the user
// leaves the page (stops timers such as a live participation refresh).
export type Page = (root: HTMLElement, ctx: PageContext) =>
  void | (() => void) | Promise<void | (() => void)>;
