// Checks Jupyter display strings (text/latex outputs) with a real MathJax 3, as Jupyter does:
// the string is the text of an HTML element, MathJax finds $...$ and $$...$$ in it and typesets
// them with the TeX packages base and ams (what the classic notebook and JupyterLab load).
//
// stdin: a JSON list of strings; stdout: a JSON list, one entry per string, of the problems
// found: MathJax's errors (merror / data-mjx-error nodes: it reports errors there, it does not
// throw) and TeX left untypeset outside the math (a command like \begin, or $$, in the text).
// Used by tests/present/test_mathjax.py; `npm ci` in this folder installs mathjax-full.
'use strict';
const {mathjax} = require('mathjax-full/js/mathjax.js');
const {TeX} = require('mathjax-full/js/input/tex.js');
const {SVG} = require('mathjax-full/js/output/svg.js');
const {liteAdaptor} = require('mathjax-full/js/adaptors/liteAdaptor.js');
const {RegisterHTMLHandler} = require('mathjax-full/js/handlers/html.js');
require('mathjax-full/js/input/tex/base/BaseConfiguration.js');
require('mathjax-full/js/input/tex/ams/AmsConfiguration.js');

const adaptor = liteAdaptor();
RegisterHTMLHandler(adaptor);

function escapeHtml(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function problems(source) {
  const tex = new TeX({
    packages: ['base', 'ams'],
    inlineMath: [['$', '$'], ['\\(', '\\)']],
    displayMath: [['$$', '$$'], ['\\[', '\\]']],
    processEscapes: true,
    processEnvironments: true,
  });
  const html = mathjax.document(
    '<html><head></head><body><div id="out">' + escapeHtml(source) + '</div></body></html>',
    {InputJax: tex, OutputJax: new SVG({fontCache: 'none'})});
  html.render();
  const found = [];
  let formulas = 0;
  for (const item of html.math) {
    if (item.start.delim === '') continue;  // an escaped \$ (processEscapes), not a formula
    formulas += 1;
    const errors = [];
    item.root.walkTree((node) => {
      if (node.isKind('merror')) {
        const attr = node.attributes.get('data-mjx-error');
        errors.push(attr || 'merror');
      }
    });
    // an aligned display (columns right, left, right, left, ...): one alignment point a row,
    // each row "lhs &= rhs" or "&= rhs" (two cells); "&\quad &= ..." makes a third column
    item.root.walkTree((node) => {
      if (!node.isKind('mtable')) return;
      const align = String(node.attributes.get('columnalign') || '');
      const spacing = String(node.attributes.get('columnspacing') || '');
      if (!/^right left/.test(align) || !/^0em/.test(spacing)) return;  // aligned, not array
      node.childNodes.forEach((row, n) => {
        const cells = row.childNodes.length;
        if (cells !== 2) errors.push('aligned row ' + (n + 1) + ' has ' + cells + ' column(s), not 2 (one & a row)');
      });
    });
    for (const e of errors) found.push('problem in ' + JSON.stringify(item.math.slice(0, 80)) + ': ' + e);
  }
  const body = adaptor.body(html.document);
  for (const c of adaptor.tags(body, 'mjx-container')) adaptor.remove(c);
  const rest = adaptor.textContent(body);
  if (/\\[A-Za-z]|\$\$/.test(rest)) found.push('TeX outside math (not typeset): ' + JSON.stringify(rest.trim().slice(0, 160)));
  return {formulas, problems: found};
}

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', () => {
  const strings = JSON.parse(input);
  process.stdout.write(JSON.stringify(strings.map(problems)) + '\n');
});
