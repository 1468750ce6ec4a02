// What a reader sees first: the headings inside the first screen of pages in headless Chromium.
//
// Usage: node first-screen.mjs <width> <height> <base URL> <path>...
// Prints one JSON object: {"<path>": ["<heading text>", ...]} with every h1-h4 whose top edge
// is inside the first screen, in page order. Requests that leave the base URL are aborted.
import { launch } from "./chromium.mjs";

const [width, height, base, ...paths] = process.argv.slice(2);
const browser = await launch();
const report = {};
try {
  const context = await browser.newContext({ viewport: { width: Number(width), height: Number(height) } });
  await context.route("**/*", (route) =>
    route.request().url().startsWith(base) ? route.continue() : route.abort(),
  );
  const page = await context.newPage();
  for (const path of paths) {
    await page.goto(base + path, { waitUntil: "load" });
    report[path] = await page.evaluate((screen) =>
      [...document.querySelectorAll("main h1, main h2, main h3, main h4")]
        .filter((h) => h.getBoundingClientRect().top < screen)
        .map((h) => h.textContent.trim().replace(/\s+/g, " ")),
      Number(height),
    );
  }
  await context.close();
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report, null, 1) + "\n");
