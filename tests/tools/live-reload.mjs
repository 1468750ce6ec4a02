// A curator at work with `roundup serve`, in headless Chromium: a page open, an article saved,
// broken and fixed; what the open page does after each save.
//
// Usage: node live-reload.mjs <axe.min.js> <page URL> <article file> <old text> <new text>
//                             <broken line> <good line> [<screenshot folder>]
// Per viewport width (390, then 1280): open the page and scroll down a little; save the article
// with <old text> replaced by <new text> and wait for the page to reload by itself; save it with
// <good line> replaced by <broken line> and wait for the error overlay; run axe-core on the
// overlay; save it fixed again and wait for the overlay to go. The article is restored between
// widths. Prints one JSON object per width: {"<width>": {...}}.
import { readFileSync, writeFileSync } from "node:fs";
import { launch } from "./chromium.mjs";

const [axePath, url, article, oldText, newText, brokenLine, goodLine, shots] =
  process.argv.slice(2);
const axeSource = readFileSync(axePath, "utf8");
const original = readFileSync(article, "utf8");
const WAIT = 20000;

function save(from, to) {
  const text = readFileSync(article, "utf8");
  if (!text.includes(from)) throw new Error(`${article} has no ${JSON.stringify(from)}`);
  writeFileSync(article, text.replace(from, to));
}

const browser = await launch();
const report = {};
try {
  for (const width of [390, 1280]) {
    const seen = {};
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    const origin = new URL(url).origin;
    await context.route("**/*", (route) =>
      route.request().url().startsWith(origin) ? route.continue() : route.abort(),
    );
    const page = await context.newPage();
    await page.goto(url, { waitUntil: "load" });
    // The event stream is open once the page knows the server's state.
    await page.waitForTimeout(500);
    await page.evaluate(() => window.scrollTo(0, 200));
    seen.scrollBefore = await page.evaluate(() => window.scrollY);
    if (shots) await page.screenshot({ path: `${shots}/serve-before-${width}.png` });

    const reloaded = page.waitForEvent("load", { timeout: WAIT });
    save(oldText, newText);
    await reloaded;
    await page.waitForTimeout(200);
    seen.reloaded = true;
    seen.scrollAfter = await page.evaluate(() => window.scrollY);
    seen.showsNewText = (await page.content()).includes(newText);
    if (shots) await page.screenshot({ path: `${shots}/serve-after-${width}.png` });

    let reloads = 0;
    page.on("load", () => reloads++);
    save(goodLine, brokenLine);
    const overlay = page.locator("#roundup-errors");
    await overlay.waitFor({ state: "visible", timeout: WAIT });
    seen.overlayRole = await overlay.getAttribute("role");
    seen.overlayText = await overlay.locator("pre").innerText();
    seen.stillShowsNewText = (await page.content()).includes(newText);
    await page.evaluate(() => window.scrollTo(0, 0));
    if (shots) await page.screenshot({ path: `${shots}/serve-error-${width}.png` });
    await page.evaluate(axeSource);
    const axe = await page.evaluate(() =>
      window.axe.run({ include: [["#roundup-errors"]] }, { resultTypes: ["violations"] }),
    );
    seen.axe = axe.violations.map((v) => `${v.id}: ${v.help}`);

    save(brokenLine, goodLine);
    await overlay.waitFor({ state: "detached", timeout: WAIT });
    seen.overlayGone = true;
    seen.reloadsWhileBroken = reloads;
    report[width] = seen;
    await context.close();
    writeFileSync(article, original);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the restore's rebuild
  }
} finally {
  writeFileSync(article, original);
  await browser.close();
}
process.stdout.write(JSON.stringify(report, null, 1) + "\n");
