// The catalog site in a real headless Chromium (Debian's `chromium`, driven
// through puppeteer-core): the index and an event page load without a
// console error or a failed request, the search and the filters hide rows,
// and a definition page lists its users. Prints what the pages show as one
// JSON document, which tests/tests/site.rs compares with the catalog, and
// keeps screenshots in the folder it is given.
//
// node site_browser.mjs BASE_URL SCREENSHOT_DIR EVENT DEFINITION
// (BASE_URL: `http://127.0.0.1:PORT/` or a `file:///…/` folder of `evreg docs`)
import puppeteer from "puppeteer-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const [base, shots, event, definition] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });

const browser = await puppeteer.launch({
  executablePath: process.env.EVREG_TEST_CHROMIUM,
  headless: true,
  // Root in CI containers has no user namespace for the sandbox.
  args: ["--no-sandbox", "--disable-gpu"],
});
const problems = [];
const out = {};
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warn") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });

  const visible = () =>
    page.$$eval("#events tbody tr", (rows) => rows.filter((r) => !r.hidden).map((r) => ({ ...r.dataset })));
  const shown = () => page.$eval("#shown", (o) => o.value);

  // The index, then the search and each filter.
  await page.goto(new URL("index.html", base).href, { waitUntil: "load" });
  out.index = {
    title: await page.title(),
    h1: await page.$eval("h1", (h) => h.textContent),
    rows: (await visible()).length,
    shown: await shown(),
    definitions: await page.$$eval("#definitions + table tbody th a", (as) => as.map((a) => a.textContent)),
  };
  await page.screenshot({ path: join(shots, "index.png") });

  await page.type("#q", event.toLowerCase().replaceAll("_", " ").split(" ").slice(0, 2).join(" "));
  const searched = await visible();
  out.search = {
    query: await page.$eval("#q", (q) => q.value),
    rows: searched.length,
    every_matches: searched.every((r) => r.text.includes(event.toLowerCase().split("_")[0])),
    shown: await shown(),
    address: new URL(page.url()).search,
  };
  await page.screenshot({ path: join(shots, "index-search.png") });
  await page.$eval("#q", (q) => {
    q.value = "";
    q.dispatchEvent(new Event("input", { bubbles: true }));
  });
  await page.select("#status", "deprecated");
  const deprecated = await visible();
  out.status_filter = {
    rows: deprecated.length,
    statuses: [...new Set(deprecated.map((r) => r.status))],
    shown: await shown(),
  };

  // The filter kept in the address comes back on a fresh load.
  await page.goto(new URL("index.html?status=deprecated", base).href, { waitUntil: "load" });
  out.from_address = (await visible()).length;

  // The event page, reached by its link on the index.
  await page.goto(new URL("index.html", base).href, { waitUntil: "load" });
  await Promise.all([
    page.waitForNavigation({ waitUntil: "load" }),
    page.$$eval("#events tbody th a", (as, t) => as.find((a) => a.textContent === t).click(), event),
  ]);
  out.event = {
    title: await page.title(),
    h1: await page.$eval("h1", (h) => h.textContent),
    versions: await page.$$eval("section.version h2", (hs) => hs.map((h) => h.textContent)),
    // The top-level property rows of the first (latest) version's table.
    properties: await page.$eval("section.version table.properties", (t) =>
      Array.from(t.tBodies[0].rows)
        .filter((r) => r.dataset.depth === "0")
        .map((r) => ({ name: r.cells[0].textContent, required: r.cells[2].textContent })),
    ),
    changes: await page.$$eval("section.change h3", (hs) => hs.map((h) => h.textContent)),
  };
  await page.screenshot({ path: join(shots, "event.png"), fullPage: true });

  await page.goto(new URL(`definitions/${definition}.html`, base).href, { waitUntil: "load" });
  out.definition = {
    h1: await page.$eval("h1", (h) => h.textContent),
    used_by: await page.$$eval("ul.usages li a", (as) => as.map((a) => a.textContent)),
  };
  await page.screenshot({ path: join(shots, "definition.png"), fullPage: true });
} finally {
  await browser.close();
}
out.problems = problems;
console.log(JSON.stringify(out, null, 2));
