// "#/": HR and admins land on the campaigns, managers on their department,
// employees on their own results (where the results pages exist); anyone
// else sees who the server says they are.
import { StaffRole } from "../../gen/survey/v1/admin_pb";
import { el } from "../dom";
import { consoleTexts } from "../i18n";
import type { Page } from "../page";

export function homePage(results: Record<string, Page>): Page {
  return (root, ctx) => {
    const { me } = ctx;
    if (me.role === StaffRole.ADMIN || me.role === StaffRole.HR) return ctx.navigate("/campaigns");
    if (me.role === StaffRole.MANAGER && "results/department" in results) {
      return ctx.navigate(`/results/department/${encodeURIComponent(me.departmentCode)}`);
    }
    if (me.role === StaffRole.EMPLOYEE && me.employeeNo && "results/employee" in results) {
      return ctx.navigate(`/results/employee/${encodeURIComponent(me.employeeNo)}`);
    }
    const t = consoleTexts[ctx.lang];
    root.append(el("h1", {}, t.welcome(me.displayName)),
      el("p", { class: "meta" }, [t.roles[me.role], me.departmentName].filter(Boolean).join(" · ")));
  };
}
