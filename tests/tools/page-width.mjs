// How wide pages lay out, and which way their right-to-left text runs, in headless Chromium.
//
// Usage: node page-width.mjs <width> <base URL> <path>...
// Prints one JSON object: {"<path>": {"width": <the page's scroll width>, "rtlRight":
// [<for each element with class "page-title", "excerpt" or a comment paragraph whose text
// starts with a right-to-left letter: whether its text ends at the element's right edge>]}}.
// Requests that leave the base URL are aborted.
import { launch } from "./chromium.mjs";

const [width, base, ...paths] = process.argv.slice(2);
const browser = await launch();
const report = {};
try {
  const context = await browser.newContext({ viewport: { width: Number(width), height: 900 } });
  await context.route("**/*", (route) =>
    route.request().url().startsWith(base) ? route.continue() : route.abort(),
  );
  const page = await context.newPage();
  for (const path of paths) {
    await page.goto(base + path, { waitUntil: "load" });
    report[path] = await page.evaluate(() => {
      const rtl = /^[\s"'«]*[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/;
      const blocks = document.querySelectorAll("main .page-title, main .excerpt p, main .comment p");
      const rtlRight = [...blocks]
        .filter((el) => rtl.test(el.textContent))
        .map((el) => {
          const range = document.createRange();
          range.selectNodeContents(el);
          const box = el.getBoundingClientRect();
          const rects = [...range.getClientRects()];
          const right = Math.max(...rects.map((r) => r.right));
          const style = getComputedStyle(el);
          return Math.abs(box.right - parseFloat(style.paddingRight) - right) < 2;
        });
      return { width: document.documentElement.scrollWidth, rtlRight };
    });
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
