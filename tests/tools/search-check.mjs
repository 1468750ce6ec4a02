// Search a built site's /search/ page in headless Chromium as a reader would, and check it.
//
// Usage: node search-check.mjs <search page URL> <word> [<axe.min.js>]
// Opens the page, waits until the index is loaded (the filters are listed), types the word
// into the search box and waits for the first result. Prints one JSON object:
//   "ms": from the first key to the first result on screen (timed inside the page),
//   "cold_ms": the same word typed as soon as the page has loaded, from navigation to result,
//   "results": [{"href", "title", "links": [outbound hrefs]}], "summary": its text,
//   "filters": {name: [values offered]}, "wide": what runs out of the column (see below),
//   "errors": console errors, and with axe's script, "axe": {"<scheme> <width>": [violations]}
//   on the page showing results, in light and dark colour schemes, at 1280 and 390 pixels.
// Requests that leave the page's origin are aborted: the tests run without network. A result
// not shown within SEARCH_CHECK_TIMEOUT_MS (default 30000) ends it with an error.
import { readFileSync } from "node:fs";
import { launch } from "./chromium.mjs";

const [pageUrl, word, axePath] = process.argv.slice(2);
const origin = new URL(pageUrl).origin;
const browser = await launch();

// Marks the first key and the first result as they happen, with the page's own clock.
function watch() {
  window.searchTimes = {};
  const input = document.querySelector("#search input");
  input.addEventListener("input", () => (window.searchTimes.key ??= performance.now()));
  const seen = () => {
    if (document.querySelector(".search-result a[href]")) {
      window.searchTimes.result ??= performance.now();
      return true;
    }
    return false;
  };
  if (!seen()) {
    const observer = new MutationObserver(() => seen() && observer.disconnect());
    observer.observe(document.body, { subtree: true, childList: true });
  }
}

async function search({ colorScheme = "light", width = 1280, waitForIndex = true } = {}) {
  const context = await browser.newContext({ colorScheme, viewport: { width, height: 900 } });
  await context.route("**/*", (route) =>
    route.request().url().startsWith(origin) ? route.continue() : route.abort(),
  );
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(pageUrl, { waitUntil: "load" });
  const input = page.locator("#search input").first();
  await input.waitFor({ state: "attached" });
  if (waitForIndex) {
    await page.locator("#search pagefind-filter-pane input").first().waitFor({ state: "attached" });
  }
  await page.evaluate(watch);
  await input.pressSequentially(word);
  const timeout = Number(process.env.SEARCH_CHECK_TIMEOUT_MS || 30000);
  await page.waitForFunction(() => window.searchTimes.result, null, { timeout });
  const times = await page.evaluate(() => window.searchTimes);
  return { context, page, errors, times };
}

const report = { axe: {} };
try {
  const { context, page, errors, times } = await search();
  report.ms = Math.round(times.result - times.key);
  await page.waitForTimeout(500); // the summary and the other visible results settle
  report.results = await page.$$eval(".search-result", (results) =>
    results.map((r) => ({
      href: r.querySelector(".search-result-title a")?.getAttribute("href"),
      title: r.querySelector(".search-result-title a")?.textContent,
      links: [...r.querySelectorAll(".meta a")].map((a) => a.getAttribute("href")),
    })),
  );
  // Text of a result that runs out of the search column (a long URL or word that does not
  // wrap), by the element's class: cut off on a phone, where the page does not scroll sideways.
  report.wide = await page.$$eval(".search-result *", (elements) => {
    const column = document.getElementById("search").getBoundingClientRect().right;
    return [...new Set(elements
      .filter((e) => e.getBoundingClientRect().right > column + 1)
      .map((e) => e.className || e.tagName.toLowerCase()))];
  });
  report.summary = await page.locator("pagefind-summary").textContent();
  report.filters = await page.$$eval("pagefind-filter-pane details", (groups) =>
    Object.fromEntries(groups.map((g) => [
      g.dataset.filterName,
      [...g.querySelectorAll("input[type=checkbox]")].map((box) => box.value),
    ])),
  );
  report.errors = errors;
  await context.close();

  const cold = await search({ waitForIndex: false });
  report.cold_ms = Math.round(cold.times.result);
  await cold.context.close();

  if (axePath) {
    const axeSource = readFileSync(axePath, "utf8");
    for (const colorScheme of ["light", "dark"]) {
      for (const width of [1280, 390]) {
        const { context, page } = await search({ colorScheme, width });
        await page.waitForTimeout(500);
        await page.evaluate(axeSource);
        const result = await page.evaluate(() => axe.run(document, { resultTypes: ["violations"] }));
        report.axe[`${colorScheme} ${width}`] = result.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.map((n) => n.target.join(" ")),
        }));
        await context.close();
      }
    }
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report, null, 1) + "\n");
