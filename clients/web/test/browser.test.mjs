// The respondent web app in Debian's Chromium (puppeteer-core, no browser
// download), at a phone's viewport, against the real survey-gateway and
// survey-server that tests/e2e/web_test.cc started. Environment:
//   SURVEY_WEB_URL        gateway origin, e.g. http://127.0.0.1:8080
//   SURVEY_WEB_TOKENS     JSON file: {"answer","keyboard","offline","expired"}
//   SURVEY_WEB_ARTIFACTS  directory for the screenshots
//   CHROMIUM              default /usr/bin/chromium
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import puppeteer from "puppeteer-core";

const base = process.env.SURVEY_WEB_URL;
if (!base) {
  test("browser tests need SURVEY_WEB_URL (run by tests/e2e/web_test.cc)", { skip: true }, () => {});
} else {
  const tokens = JSON.parse(readFileSync(process.env.SURVEY_WEB_TOKENS, "utf8"));
  const artifacts = process.env.SURVEY_WEB_ARTIFACTS ?? mkdtempSync(join(tmpdir(), "web-shots-"));
  mkdirSync(artifacts, { recursive: true });
  const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  const origin = new URL(base).origin;
  const link = (tok) => `${base}/a/#${tok}`;
  let browser, profile;
  const foreign = [];

  before(async () => {
    profile = mkdtempSync(join(tmpdir(), "chromium-profile-"));
    browser = await puppeteer.launch({
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             `--user-data-dir=${profile}`, "--lang=zh-CN"],
      protocolTimeout: 30000,
    });
  });
  after(async () => {
    await browser?.close();
    rmSync(profile, { recursive: true, force: true });
    assert.deepEqual(foreign, [], "requests to other origins");
  });

  async function phone(lang = "zh-CN") {
    const ctx = await browser.createBrowserContext();
    const page = await ctx.newPage();
    await page.setViewport({ width: 360, height: 740, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    await page.evaluateOnNewDocument((l) => {
      Object.defineProperty(navigator, "languages", { get: () => [l] });
      Object.defineProperty(navigator, "language", { get: () => l });
    }, lang);
    page.on("request", (r) => {
      const u = new URL(r.url());
      if (u.protocol.startsWith("http") && u.origin !== origin) foreign.push(r.url());
    });
    page.setDefaultTimeout(15000);
    return page;
  }
  const outcome = (page, key) => page.waitForSelector(`[data-outcome="${key}"]`);

  async function fill(page, comment) {
    await page.waitForSelector("form fieldset");
    const groups = await page.$$eval("fieldset[data-sub]", (f) => f.length);
    for (let k = 0; k < groups; k++) {
      await page.click(`fieldset[data-sub="${k}"] label:nth-child(${(k % 10) + 1})`);
    }
    if (comment) await page.type("#comment", comment);
    return groups;
  }

  test("open a link, answer, submit: thanks (Chinese, 360 px)", async () => {
    const page = await phone("zh-CN");
    await page.goto(link(tokens.answer));
    await page.waitForSelector("form fieldset");
    assert.equal(await page.$eval("html", (h) => h.lang), "zh-CN");
    const text = await page.$eval("main", (m) => m.innerText);
    assert.match(text, /评价对象/);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 360, `no horizontal scrolling at 360 px (${width})`);
    const groups = await fill(page, "工程师很专业");
    assert.equal(groups, 9);
    await page.screenshot({ path: join(artifacts, "form-zh.png"), fullPage: true });
    await page.click("button.primary");
    await outcome(page, "thanks");
    await page.screenshot({ path: join(artifacts, "thanks-zh.png") });
    // The used link again: already answered.
    await page.reload();
    await outcome(page, "already");
    assert.match(await page.$eval("main", (m) => m.innerText), /已经回答/);
    await page.screenshot({ path: join(artifacts, "already-zh.png") });
    await page.browserContext().close();
  });

  test("English from the phone's language, and the switch", async () => {
    const page = await phone("en-US");
    await page.goto(link(tokens.keyboard));
    await page.waitForSelector("form fieldset");
    assert.equal(await page.$eval("html", (h) => h.lang), "en");
    assert.match(await page.$eval("main", (m) => m.innerText), /Rated/);
    await page.screenshot({ path: join(artifacts, "form-en.png"), fullPage: true });
    await page.click("#lang");
    await page.waitForFunction(() => document.documentElement.lang === "zh-CN" &&
      document.querySelector("main").innerText.includes("评价对象"));
    await page.click("#lang");
    await page.waitForFunction(() => document.querySelector("main").innerText.includes("Rated"));
    await page.browserContext().close();
  });

  test("an expired link says so", async () => {
    const page = await phone("en-US");
    await page.goto(link(tokens.expired));
    await outcome(page, "EXPIRED");
    assert.match(await page.$eval("main", (m) => m.innerText), /expired/);
    await page.screenshot({ path: join(artifacts, "expired-en.png") });
    await page.browserContext().close();
  });

  test("accessibility: axe-core finds no serious violation", async () => {
    const page = await phone("zh-CN");
    await page.goto(link(tokens.keyboard));
    await page.waitForSelector("form fieldset");
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    }));
    const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.length}`), []);
    await page.browserContext().close();
  });

  test("keyboard only: Tab through, arrows to score, Enter to submit", async () => {
    const page = await phone("en-US");
    await page.goto(link(tokens.keyboard));
    await page.waitForSelector("form fieldset");
    const done = new Set();
    for (let step = 0; step < 80; step++) {
      await page.keyboard.press("Tab");
      const focus = await page.evaluate(() => {
        const a = document.activeElement;
        return { tag: a.tagName, type: a.type ?? "", name: a.name ?? "", cls: a.className };
      });
      if (focus.type === "radio" && !done.has(focus.name)) {
        done.add(focus.name);
        // Arrow keys move and select within the group: 1 -> 8.
        for (let i = 0; i < 7; i++) await page.keyboard.press("ArrowRight");
      } else if (focus.tag === "TEXTAREA" && focus.name === "comment") {
        await page.keyboard.type("keyboard only");
      } else if (focus.tag === "BUTTON" && focus.cls.includes("primary")) {
        await page.keyboard.press("Enter");
        break;
      }
    }
    assert.equal(done.size, 9, "every group reached by Tab");
    await outcome(page, "thanks");
    await page.screenshot({ path: join(artifacts, "thanks-en.png") });
    await page.browserContext().close();
  });

  test("offline: kept on the phone, sent once when back online", async () => {
    const page = await phone("zh-CN");
    await page.goto(link(tokens.offline));
    await fill(page, "离线提交");
    await page.setOfflineMode(true);
    await page.click("button.primary");
    await outcome(page, "offline");
    await page.screenshot({ path: join(artifacts, "offline-zh.png") });
    const kept = await page.evaluate(() => new Promise((resolve) => {
      const r = indexedDB.open("survey-outbox");
      r.onsuccess = () => {
        const g = r.result.transaction("pending").objectStore("pending").getAll();
        g.onsuccess = () => resolve(g.result.length);
      };
    }));
    assert.equal(kept, 1);
    await page.setOfflineMode(false);
    await outcome(page, "thanks");
    const left = await page.evaluate(() => new Promise((resolve) => {
      const r = indexedDB.open("survey-outbox");
      r.onsuccess = () => {
        const g = r.result.transaction("pending").objectStore("pending").getAll();
        g.onsuccess = () => resolve(g.result.length);
      };
    }));
    assert.equal(left, 0);
    await page.browserContext().close();
  });

  test("security headers on the app and its RPCs; no cookies", async () => {
    for (const path of ["/a/", "/a/app.js"]) {
      const res = await fetch(base + path);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-security-policy"), /default-src 'self'/);
      assert.equal(res.headers.get("referrer-policy"), "no-referrer");
      assert.equal(res.headers.get("set-cookie"), null);
    }
    const rpc = await fetch(`${base}/survey.v1.RespondService/GetSurvey`, {
      method: "POST", headers: { "content-type": "application/json" }, body: '{"token":"x"}' });
    assert.equal(rpc.status, 400);
    assert.equal(rpc.headers.get("trailer-reason"), "TOKEN_MALFORMED");
    assert.equal(rpc.headers.get("set-cookie"), null);
  });
}
