// The staff console's shell: https://HOST/c/#/campaigns/ID. Hash routing
// (every place bookmarkable), the navigation the caller's role allows (from
// AccountService.WhoAmI: the console only shows what the server says; the
// server still refuses anything else), sign-in and back, the language.
import { Code, ConnectError } from "@connectrpc/connect";
import { StaffRole } from "../gen/survey/v1/admin_pb";
import type { Me } from "../gen/survey/v1/account_pb";
import { clients, onUnauthenticated } from "./api";
import { el, refusal } from "./dom";
import { consoleTexts, saveLang, savedLang, type ConsoleTexts } from "./i18n";
import type { ConsoleLang, Page, PageContext } from "./page";
import { accountsPage } from "./pages/accounts";
import { campaignPage } from "./pages/campaign";
import { campaignsPage } from "./pages/campaigns";
import { homePage } from "./pages/home";
import { sessionsPage } from "./pages/sessions";
import { activatePage, passwordPage, signInPage } from "./pages/signin";
import { resultsRoutes } from "./results/index";
import { appraisalRoutes } from "./appraisal/index";
import { appraisalTexts } from "./i18n_appraisal";
import { hrSetupTexts } from "./i18n_hr_setup";
import { hrAppraisalTexts } from "./i18n_hr_appraisal";
import { managerTexts } from "./i18n_manager";

let lang: ConsoleLang = savedLang();
let t: ConsoleTexts = consoleTexts[lang];
let me: Me | undefined;
let leave: (() => void) | undefined;
let generation = 0;

const main = document.getElementById("main") as HTMLElement;
const nav = document.getElementById("nav") as HTMLElement;
const who = document.getElementById("who") as HTMLElement;
const langButton = document.getElementById("lang") as HTMLButtonElement;

interface Place { route: string[]; params: URLSearchParams; path: string }

function place(): Place {
  const raw = location.hash.replace(/^#\/?/, "");
  const q = raw.indexOf("?");
  const path = q < 0 ? raw : raw.slice(0, q);
  const route = path.split("/").filter((s) => s !== "").map((s) => {
    try { return decodeURIComponent(s); } catch { return s; }
  });
  return { route, params: new URLSearchParams(q < 0 ? "" : raw.slice(q + 1)), path: "/" + raw };
}

function navigate(path: string) {
  const target = "#" + (path.startsWith("/") ? path : "/" + path);
  if (location.hash === target) void render();
  else location.hash = target;
}

const isStaff = (r: StaffRole) => r === StaffRole.ADMIN || r === StaffRole.HR;

// The navigation: what the role may open, and results pages only where the
// results module registered them.
interface NavItem { route: string; href: (m: Me) => string; label: () => string; shown: (m: Me) => boolean }
const navItems: NavItem[] = [
  { route: "campaigns", href: () => "/campaigns", label: () => t.navCampaigns, shown: (m) => isStaff(m.role) },
  { route: "results/org", href: () => "/results/org", label: () => t.navResults["results/org"], shown: (m) => isStaff(m.role) },
  { route: "results/department", label: () => t.navResults["results/department"],
    href: (m) => m.role === StaffRole.MANAGER ? `/results/department/${encodeURIComponent(m.departmentCode)}` : "/results/department",
    shown: (m) => isStaff(m.role) || m.role === StaffRole.MANAGER },
  { route: "results/employee", label: () => t.navResults["results/employee"],
    href: (m) => `/results/employee/${encodeURIComponent(m.employeeNo)}`,
    shown: (m) => m.role === StaffRole.EMPLOYEE && m.employeeNo !== "" },
  { route: "results/trend", href: () => "/results/trend", label: () => t.navResults["results/trend"], shown: () => true },
  { route: "results/cross", href: () => "/results/cross", label: () => t.navResults["results/cross"],
    shown: (m) => isStaff(m.role) || m.role === StaffRole.MANAGER },
  { route: "appraisal/sheet", href: () => "/appraisal/sheet", label: () => appraisalTexts[lang].nav,
    shown: (m) => m.employeeNo !== "" },
  { route: "appraisal/sheets", href: () => "/appraisal/sheets", label: () => hrAppraisalTexts[lang].navSheets,
    shown: (m) => isStaff(m.role) },
  { route: "appraisal/appeals", href: () => "/appraisal/appeals", label: () => hrAppraisalTexts[lang].navAppeals,
    shown: (m) => isStaff(m.role) },
  { route: "appraisal/grading", href: () => "/appraisal/grading", label: () => hrAppraisalTexts[lang].navGrading,
    shown: (m) => isStaff(m.role) },
  { route: "appraisal/department", href: () => "/appraisal/department", label: () => managerTexts[lang].nav,
    shown: (m) => isStaff(m.role) || m.role === StaffRole.MANAGER },
  { route: "appraisal/config", href: () => "/appraisal/config", label: () => hrSetupTexts[lang].nav,
    shown: (m) => isStaff(m.role) },
  { route: "accounts", href: () => "/accounts", label: () => t.navAccounts, shown: (m) => isStaff(m.role) },
  { route: "sessions", href: () => "/sessions", label: () => t.navSessions, shown: (m) => m.role === StaffRole.ADMIN },
];

function available(item: NavItem): boolean {
  return !item.route.startsWith("results/") || item.route in resultsRoutes;
}

function drawChrome(current: Place) {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  (document.getElementById("brand") as HTMLElement).textContent = t.brand;
  (document.getElementById("skip") as HTMLElement).textContent = t.skip;
  nav.setAttribute("aria-label", t.navLabel);
  langButton.textContent = t.switchTo;
  langButton.setAttribute("aria-label", t.switchLabel);
  langButton.setAttribute("lang", lang === "zh" ? "en" : "zh-CN");
  if (!me) {
    nav.replaceChildren();
    who.replaceChildren();
    return;
  }
  const list = el("ul");
  const key = current.route.slice(0, 2).join("/");
  for (const item of navItems) {
    if (!item.shown(me) || !available(item)) continue;
    const active = key === item.route || current.route[0] === item.route;
    list.append(el("li", {}, el("a", { href: "#" + item.href(me), "data-route": item.route,
      "aria-current": active ? "page" : undefined }, item.label())));
  }
  nav.replaceChildren(list);
  const out = el("button", { type: "button", id: "sign-out" }, t.signOut);
  out.addEventListener("click", () => void signOut());
  who.replaceChildren(
    el("span", { id: "who-name" }, `${me.displayName} · ${t.roles[me.role] ?? ""}` +
      (me.departmentName ? ` · ${me.departmentName}` : "")),
    me.credential === "session" ? el("a", { href: "#/password" }, t.navPassword) : "",
    out);
}

async function signOut() {
  try { await clients.account.signOut({}); } catch { /* the session may be gone already */ }
  me = undefined;
  navigate("/signin?out=1");
}

function signInThenBack(current: Place) {
  me = undefined;
  const back = current.route[0] === "signin" || current.route[0] === "activate"
    ? current.params.get("next") ?? "/" : current.path;
  navigate(`/signin?next=${encodeURIComponent(back)}`);
}

function signedIn(who: Me | undefined, next: string | null) {
  me = who;
  navigate(next && next.startsWith("/") && !next.startsWith("/signin") ? next : "/");
}

function pageFor(route: string[]): Page | undefined {
  switch (route[0] ?? "") {
    case "": return homePage(resultsRoutes);
    case "campaigns": return route.length > 1 ? campaignPage : campaignsPage;
    case "accounts": return accountsPage;
    case "sessions": return sessionsPage;
    case "password": return passwordPage;
    case "results": return resultsRoutes[route.slice(0, 2).join("/")];
    case "appraisal": return appraisalRoutes[route.slice(0, 2).join("/")];
  }
  return undefined;
}

async function render() {
  const mine = ++generation;
  if (leave) { try { leave(); } catch { /* a page's cleanup must not stop the next */ } leave = undefined; }
  const current = place();
  t = consoleTexts[lang];
  const after = current.params.get("next");
  if (current.route[0] === "signin" || current.route[0] === "activate") {
    me = undefined;
    drawChrome(current);
    const draw = current.route[0] === "signin" ? signInPage : activatePage;
    const root = el("div", { class: "page" });
    main.replaceChildren(root);
    draw(root, { t, lang, clients, params: current.params, done: (m) => signedIn(m, after), navigate });
    return;
  }
  if (!me) {
    main.replaceChildren(el("p", { class: "status", role: "status" }, t.loading));
    try {
      me = await clients.account.whoAmI({});
    } catch (e) {
      if (mine !== generation) return;
      if (ConnectError.from(e).code === Code.Unauthenticated) return signInThenBack(current);
      drawChrome(current);
      main.replaceChildren(el("h1", { tabindex: "-1" }, t.brand), refusal(t, e));
      return;
    }
    if (mine !== generation) return;
  }
  drawChrome(current);
  const page = pageFor(current.route);
  // Each page draws into a root of its own: a slow page the user already
  // left keeps drawing into a detached node, never over the next page.
  const root = el("div", { class: "page" });
  main.replaceChildren(root);
  if (!page) {
    root.append(el("h1", { tabindex: "-1" }, t.notFoundPage));
    return;
  }
  const ctx: PageContext = { me: me!, clients, lang, route: current.route, params: current.params, navigate };
  try {
    const cleanup = await page(root, ctx);
    if (typeof cleanup === "function") {
      if (mine === generation) leave = cleanup;
      else cleanup();  // the user moved on while the page was loading
    }
  } catch (e) {
    if (mine !== generation) return;
    root.append(refusal(t, e));
  }
  if (mine !== generation) return;
  const h1 = main.querySelector("h1");
  if (h1) {
    document.title = `${h1.textContent} · ${t.brand}`;
    if (!h1.hasAttribute("tabindex")) h1.setAttribute("tabindex", "-1");
    if (!main.contains(document.activeElement) || document.activeElement === main) h1.focus();
  } else {
    document.title = t.brand;
  }
}

onUnauthenticated(() => {
  const current = place();
  if (current.route[0] !== "signin" && current.route[0] !== "activate") signInThenBack(current);
});
langButton.addEventListener("click", () => {
  lang = lang === "zh" ? "en" : "zh";
  saveLang(lang);
  void render();
});
window.addEventListener("hashchange", () => void render());
void render();
