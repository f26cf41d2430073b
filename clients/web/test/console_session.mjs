// What the console's browser tests share: Debian's Chromium launched with
// a throw-away profile, and one signed-in page per role, each in a browser
// context (cookie jar) of its own, through the console's sign-in form.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer from "puppeteer-core";

export async function launchChromium(profilePrefix) {
  const profile = mkdtempSync(join(tmpdir(), profilePrefix));
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           `--user-data-dir=${profile}`, "--lang=zh-CN"],
    protocolTimeout: 60000,
  });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

// `signIn(role)` returns the page of `role` (fixture account and password),
// signing in on first use.
export function signedInPages(browser, origin, fx) {
  const pages = {};
  return async function signIn(role) {
    if (pages[role]) return pages[role];
    const ctx = await browser.createBrowserContext();
    const page = await ctx.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    page.setDefaultTimeout(20000);
    page.on("pageerror", (e) => console.error(`[${role}] page error: ${e.message}`));
    await page.goto(`${origin}/c/#/signin`);
    await page.waitForSelector("#signin-form #account");
    await page.type("#account", fx[role].account);
    await page.type("#password", fx[role].password);
    await Promise.all([page.waitForSelector("#who-name"), page.click("#signin-form button[type=submit]")]);
    pages[role] = page;
    return page;
  };
}
