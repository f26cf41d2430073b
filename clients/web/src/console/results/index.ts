// Stub until the results pages land: the console's router mounts these
// routes ("results/org", "results/department", ...). Owned by the results
// engineer; replace freely.
import type { Page } from "../page";

export const resultsRoutes: Record<string, Page> = {};
