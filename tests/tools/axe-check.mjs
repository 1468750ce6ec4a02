// Run axe-core on pages in headless Chromium, in light and dark colour schemes.
//
// Usage: node axe-check.mjs <axe.min.js> <base URL> <path>...
// Prints one JSON object: {"<scheme> <path>": [{id, impact, help, nodes: [target...]}]}.
// Requests that leave the base URL are aborted: the tests run without network, and an
// external image that never arrives must not stall the page.
import { readFileSync } from "node:fs";
import { launch } from "./chromium.mjs";

const [axePath, base, ...paths] = process.argv.slice(2);
const axeSource = readFileSync(axePath, "utf8");

const browser = await launch();
const report = {};
try {
  for (const colorScheme of ["light", "dark"]) {
    for (const width of [1280, 390]) {
      const context = await browser.newContext({ colorScheme, viewport: { width, height: 900 } });
      await context.route("**/*", (route) =>
        route.request().url().startsWith(base) ? route.continue() : route.abort(),
      );
      const page = await context.newPage();
      for (const path of paths) {
        const response = await page.goto(base + path, { waitUntil: "load" });
        const key = `${colorScheme} ${width} ${path}`;
        if (!response || (!response.ok() && !path.endsWith("404.html"))) {
          report[key] = [{ id: "http", impact: "critical", help: `HTTP ${response?.status()}`, nodes: [] }];
          continue;
        }
        await page.evaluate(axeSource);
        const result = await page.evaluate(() => axe.run(document, { resultTypes: ["violations"] }));
        report[key] = result.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.map((n) => n.target.join(" ")),
        }));
      }
      await context.close();
    }
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report, null, 1) + "\n");
