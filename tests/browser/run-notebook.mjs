#!/usr/bin/env node
// Opens a notebook in a classic Jupyter Notebook server with headless Chromium (Debian's,
// never a downloaded one), runs all cells from the page's Cell > Run All menu, waits until
// every code cell has finished and MathJax has typeset, and prints what the page shows as
// JSON on stdout. With --no-run it runs nothing: the page shows the outputs stored in the
// notebook, as a student who opens it sees them (untrusted, unless it was trusted with
// `jupyter trust`: facts.trusted says which). Exit status: 0 when the facts were collected (whatever the cells did),
// 2 when the page could not be driven (the JSON then says why, with what was seen so far).
//
//   node run-notebook.mjs --url 'http://127.0.0.1:8888/notebooks/x.ipynb?token=...'
//        [--screenshot out.png] [--user-data-dir DIR] [--timeout-ms 45000]
//        [--chromium /usr/lib/chromium/chromium] [--no-run] [--prompt N]
// With --prompt N the screenshot is of the one cell In [N], not the whole page.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";

const { values: opts } = parseArgs({
  options: {
    url: { type: "string" },
    screenshot: { type: "string" },
    "user-data-dir": { type: "string" },
    "timeout-ms": { type: "string", default: "45000" },
    chromium: { type: "string" },
    "no-run": { type: "boolean", default: false },
    prompt: { type: "string" },
  },
});
if (!opts.url) {
  console.error("usage: run-notebook.mjs --url URL [--screenshot PNG] [--user-data-dir DIR] [--timeout-ms N]");
  process.exit(64);
}

// Debian's binary itself: /usr/bin/chromium is a shell wrapper that adds flags of its own
// (extensions, Google API keys) from /etc/chromium.d.
const executablePath = opts.chromium || process.env.CHROMIUM ||
  ["/usr/lib/chromium/chromium", "/usr/bin/chromium"].find((p) => existsSync(p));
const deadline = Date.now() + Number(opts["timeout-ms"]);
const left = () => Math.max(1, deadline - Date.now());

const ownProfile = !opts["user-data-dir"];
const userDataDir = opts["user-data-dir"] || mkdtempSync(join(tmpdir(), "gomatcalc-chromium-"));

const facts = { url: opts.url.replace(/token=[^&]*/, "token=..."), chromium: executablePath, steps: [], console: [] };
const step = (name) => facts.steps.push({ step: name, ms: Date.now() - started });
const started = Date.now();

let context;
let status = 0;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run",
      "--disable-dev-shm-usage",
    ],
    viewport: { width: 1100, height: 900 },
    timeout: left(),
  });
  facts.browserVersion = context.browser()?.version() ?? null;
  step("browser started");
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(left());
  page.on("dialog", (d) => {
    facts.console.push(`dialog: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  page.on("console", (m) => {
    if (m.type() === "error") facts.console.push(`console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => facts.console.push(`page error: ${e.message}`));

  await page.goto(opts.url, { waitUntil: "load", timeout: left() });
  step("page loaded");

  // The notebook is loaded, its kernel connected and idle.
  await page.waitForFunction(() => {
    const J = window.Jupyter;
    const icon = document.querySelector("#kernel_indicator_icon");
    return J && J.notebook && J.notebook._fully_loaded && J.notebook.kernel &&
      J.notebook.kernel.is_connected() && icon && icon.classList.contains("kernel_idle_icon");
  }, null, { timeout: left(), polling: 100 });
  facts.kernel = await page.evaluate(() => ({
    name: Jupyter.notebook.kernel.name,
    display_name: Jupyter.notebook.metadata.kernelspec?.display_name ?? null,
  }));
  step("kernel idle");
  facts.trusted = await page.evaluate(() => Jupyter.notebook.trusted);

  if (!opts["no-run"]) {
    // Each code cell counts as finished when the kernel's idle status for its own request
    // has arrived (after all its outputs): the notebook's finished_execute.CodeCell event.
    await page.evaluate(() => {
      window.__finished = new Set();
      Jupyter.notebook.events.on("finished_execute.CodeCell", (_e, d) => window.__finished.add(d.cell));
    });

    // Cell > Run All, clicked as a person would.
    await page.locator("#celllink").click({ timeout: left() });
    await page.locator("#run_all_cells > a").click({ timeout: left() });
    step("clicked Cell > Run All");

    await page.waitForFunction(() => {
      const code = Jupyter.notebook.get_cells().filter((c) => c.cell_type === "code" && c.get_text().trim() !== "");
      return code.every((c) => window.__finished.has(c) && !c.element.hasClass("running"));
    }, null, { timeout: left(), polling: 100 });
    step("all cells finished");
  }

  // MathJax 2 typesets outputs through its queue: this resolves after all queued work.
  facts.mathjax = await page.evaluate(() => {
    if (!window.MathJax || !MathJax.Hub) return null;
    return new Promise((resolve) => MathJax.Hub.Queue(() => resolve(MathJax.version)));
  });
  step("MathJax queue done");

  // Images (a plot's PNG) decoded, so that their sizes are known.
  await page.waitForFunction(() => [...document.querySelectorAll("#notebook-container img")].every((i) => i.complete),
    null, { timeout: left(), polling: 100 });

  Object.assign(facts, await page.evaluate(collect));

  if (opts.screenshot) {
    // MathJax's "Typesetting math: 100%" box fades out on its own: not in the picture.
    await page.waitForFunction(() => {
      const box = document.querySelector("#MathJax_Message");
      return !box || getComputedStyle(box).display === "none" || box.textContent === "";
    }, null, { timeout: Math.min(left(), 5000), polling: 100 }).catch(() => {});
    // The notebook scrolls inside #site: grow the window to the whole notebook first.
    const height = await page.evaluate(() => {
      document.querySelector("#site").scrollTop = 0;
      return Math.ceil(document.querySelector("#notebook-container").getBoundingClientRect().bottom) + 30;
    });
    await page.setViewportSize({ width: 1100, height: Math.min(Math.max(height, 600), 8000) });
    if (opts.prompt) {
      const cell = page.locator("#notebook-container .cell", {
        has: page.locator(".input_prompt", { hasText: `[${opts.prompt}]` }),
      }).first();
      await cell.screenshot({ path: opts.screenshot, timeout: left() });
    } else {
      await page.screenshot({ path: opts.screenshot, timeout: left() });
    }
    facts.screenshot = opts.screenshot;
    step("screenshot");
  }
} catch (err) {
  status = 2;
  facts.error = String(err && err.message ? err.message.split("\n")[0] : err);
  if (context) {
    try {
      Object.assign(facts, await context.pages()[0].evaluate(collect));
    } catch {}
  }
} finally {
  if (context) await context.close().catch(() => {});
  if (ownProfile) rmSync(userDataDir, { recursive: true, force: true });
}
facts.ms = Date.now() - started;
process.stdout.write(JSON.stringify(facts, null, 2) + "\n");
process.exit(status);

// Runs in the page: what every code cell shows.
function collect() {
  const text = (el) => (el ? el.textContent.replace(/\s+/g, " ").trim() : null);
  // The number of lines an element's text takes (a caption wrapped word by word: many):
  // its text's boxes that do not overlap vertically (a fallback font's glyphs sit a little
  // higher or lower on the same line).
  const lines = (el) => {
    if (!el) return null;
    const range = document.createRange();
    range.selectNodeContents(el);
    const rects = [...range.getClientRects()].filter((r) => r.width > 0).sort((a, b) => a.top - b.top);
    let n = 0, bottom = -Infinity;
    for (const r of rects) {
      if (r.top >= bottom - 1) { n++; bottom = r.bottom; } else bottom = Math.max(bottom, r.bottom);
    }
    return n;
  };
  const cells = [...document.querySelectorAll("#notebook-container .cell.code_cell")].map((cell, i) => {
    const out = cell.querySelector(".output_wrapper .output") || cell;
    const subareas = [...out.querySelectorAll(".output_subarea")];
    return {
      index: i,
      source: window.Jupyter?.notebook?.get_cells().find((c) => c.element[0] === cell)?.get_text() ?? null,
      prompt: text(cell.querySelector(".input_prompt")),
      running: cell.classList.contains("running"),
      // e.g. ["output_html", "rendered_html"], ["output_latex"], ["output_svg"], ["output_error"]
      outputs: subareas.map((s) => [...s.classList].filter((c) => c !== "output_subarea")),
      tables: [...out.querySelectorAll("table")].map((t) => ({
        caption: text(t.querySelector("caption")),
        captionLines: lines(t.querySelector("caption")),
        width: Math.round(t.getBoundingClientRect().width),
        rows: t.querySelectorAll("tr").length,
        headerCells: [...t.querySelectorAll("th")].map(text),
        dataCells: [...t.querySelectorAll("td")].map(text),
      })),
      // MathJax 2 replaces each typeset formula by a frame with this id (any output jax).
      math: [...out.querySelectorAll("[id^='MathJax-Element-'][id$='-Frame']")].map((m) => ({
        className: m.className,
        width: Math.round(m.getBoundingClientRect().width),
        text: text(m),
      })),
      mathErrors: [...out.querySelectorAll(".MathJax_Error, merror")].map(text),
      untypesetTeX: subareas.some((s) => /\\frac|\$\$/.test(s.innerText || "")),
      svgs: [...out.querySelectorAll("svg")].filter((s) => !s.closest("[id^='MathJax-Element-']"))
        .filter((s) => !s.parentElement.closest("svg")).map((s) => {
          const r = s.getBoundingClientRect();
          return {
            width: Math.round(r.width), height: Math.round(r.height),
            elements: s.querySelectorAll("*").length,
            paths: s.querySelectorAll("path, line, polyline").length,
            texts: [...s.querySelectorAll("text")].map(text).filter(Boolean),
          };
        }),
      images: [...out.querySelectorAll("img")].map((img) => ({
        src: img.src.slice(0, 30), width: img.naturalWidth, height: img.naturalHeight,
        shownWidth: Math.round(img.getBoundingClientRect().width),
        shownHeight: Math.round(img.getBoundingClientRect().height),
        visible: img.complete && img.naturalWidth > 0 && img.checkVisibility(),
      })),
      errors: [...out.querySelectorAll(".output_error")].map((e) => text(e).slice(0, 2000)),
      text: subareas.filter((s) => s.classList.contains("output_text")).map((s) => text(s).slice(0, 2000)),
    };
  });
  return { title: document.title, cells };
}
