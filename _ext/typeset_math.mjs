/*
 * Typeset TeX into SVG at build time with MathJax's own Node package (mathjax-full, pinned in
 * package.json), so that no page of the website loads a TeX engine.
 *
 * Called once per build by _ext/dlbook_math.py, in one process, for the formulas of the pages
 * that build wrote and that its cache does not hold yet. Reads JSON from stdin:
 *
 *   {"formulas": [{"tex": "x^2", "display": false}, ...]}
 *
 * and writes JSON to stdout:
 *
 *   {"css": "...",                          the style sheet every page with math needs
 *    "glyphs": {"MJX-TEX-I-1D465": "<path ...>"},   each glyph drawn, by id
 *    "formulas": [{"html": "<mjx-container ...>", "error": null}, ...]}
 *
 * Each formula is an <mjx-container> holding an SVG whose glyphs are <use> references to the
 * glyphs by id (MathJax's global font cache: a page defines each glyph once, in a hidden <svg>),
 * and MathJax's assistive MathML, which screen readers read in place of the hidden SVG.
 * A TeX error is reported in "error" (the build fails with it) rather than drawn in red.
 */
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(import.meta.url);
const { mathjax } = require("mathjax-full/js/mathjax.js");
const { TeX } = require("mathjax-full/js/input/tex.js");
const { SVG } = require("mathjax-full/js/output/svg.js");
const { liteAdaptor } = require("mathjax-full/js/adaptors/liteAdaptor.js");
const { RegisterHTMLHandler } = require("mathjax-full/js/handlers/html.js");
const { AssistiveMmlHandler } = require("mathjax-full/js/a11y/assistive-mml.js");
const { AllPackages } = require("mathjax-full/js/input/tex/AllPackages.js");

const request = JSON.parse(readFileSync(0, "utf8"));

const adaptor = liteAdaptor();
AssistiveMmlHandler(RegisterHTMLHandler(adaptor));

let error = null;
const tex = new TeX({
  // Every package, as the browser's MathJax loads them on demand (autoload); bussproofs
  // needs a second pass and the book has no proof trees.
  packages: AllPackages.filter((name) => name !== "bussproofs"),
  formatError(jax, err) {
    error = err.message;
    return jax.formatError(err);
  },
});
const svg = new SVG({ fontCache: "global" });
const document = mathjax.document("", { InputJax: tex, OutputJax: svg });

/** Groups that the style sheet selects (table lines, errors, actions): kept as they are. */
const STYLED = new Set(["mtable", "mtr", "mtd", "mlabeledtr", "merror", "maction"]);

/**
 * Fewer elements, the same drawing: a <g> that only groups one element (no style, no class,
 * nothing the style sheet selects) hands its transform, if any, to that element and goes.
 * Browsers lay out every element of a page; MathJax wraps each glyph in one or two groups.
 */
function simplify(node) {
  for (const child of adaptor.childNodes(node)) {
    if (adaptor.kind(child) !== "#text") simplify(child);
  }
  if (adaptor.kind(node) !== "g") return;
  const attributes = adaptor.allAttributes(node);
  const children = adaptor.childNodes(node);
  const only = children.length === 1 && adaptor.kind(children[0]) !== "#text" ? children[0] : null;
  const plain = attributes.every(({ name }) => name === "data-mml-node" || name === "transform");
  if (!only || !plain || STYLED.has(adaptor.getAttribute(node, "data-mml-node"))) return;
  const outer = adaptor.getAttribute(node, "transform");
  const inner = adaptor.getAttribute(only, "transform");
  if (outer) adaptor.setAttribute(only, "transform", inner ? `${outer} ${inner}` : outer);
  adaptor.replace(only, node);
}

const formulas = request.formulas.map(({ tex: source, display }) => {
  error = null;
  const node = document.convert(source, { display });
  simplify(adaptor.firstChild(node));
  return { html: adaptor.outerHTML(node), error };
});

const glyphs = {};
for (const path of adaptor.childNodes(svg.fontCache.getCache())) {
  glyphs[adaptor.getAttribute(path, "id")] = adaptor.outerHTML(path);
}

process.stdout.write(JSON.stringify({
  css: adaptor.textContent(svg.styleSheet(document)),
  glyphs,
  formulas,
}));
