// Parse every $…$ and $$…$$ formula of the Markdown files given with MathJax 3
// (TeX input with the base, ams, newcommand and textmacros packages, as on GitHub,
// but with undefined macros as errors), and print one line per formula that fails.
// Used by tests/test_render_markdown.py; mathjax-full is installed by .ci/run.
const fs = require('fs');
const {mathjax} = require('mathjax-full/js/mathjax.js');
const {TeX} = require('mathjax-full/js/input/tex.js');
const {SVG} = require('mathjax-full/js/output/svg.js');
const {liteAdaptor} = require('mathjax-full/js/adaptors/liteAdaptor.js');
const {RegisterHTMLHandler} = require('mathjax-full/js/handlers/html.js');
require('mathjax-full/js/input/tex/AllPackages.js');

const adaptor = liteAdaptor();
RegisterHTMLHandler(adaptor);
const tex = new TeX({packages: ['base', 'ams', 'newcommand', 'textmacros']});
const doc = mathjax.document('', {InputJax: tex, OutputJax: new SVG()});
let errors = 0;
let count = 0;
for (const file of process.argv.slice(2)) {
  let text = fs.readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  const formulas = [];
  text = text.replace(/\$\$([\s\S]*?)\$\$/g, (whole, body) => {
    formulas.push([body, true]);
    return '';
  });
  text.replace(/\$([^$\n]+?)\$/g, (whole, body) => {
    formulas.push([body, false]);
    return '';
  });
  for (const [body, display] of formulas) {
    count++;
    const html = adaptor.outerHTML(doc.convert(body, {display}));
    const error = html.match(/data-mjx-error="([^"]*)"/);
    if (error || html.includes('<merror')) {
      errors++;
      console.log(`${file}: ${error ? error[1] : 'error'}: ${body.slice(0, 160)}`);
    }
  }
}
console.log(`formulas ${count} errors ${errors}`);
process.exit(errors ? 1 : 0);
