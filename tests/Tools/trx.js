#!/usr/bin/env node
// What failed in a Visual Studio test results file (.trx), for tests/run-all.sh:
//   node tests/Tools/trx.js failures <file.trx>   a line per failed test: "<name>: <first line of its message>"
//   node tests/Tools/trx.js filter <file.trx>     a dotnet test --filter that selects the failed tests' methods
//                                                 (a theory's method runs with all its cases); empty when none failed
'use strict';
const fs = require('fs');

const [mode, file] = process.argv.slice(2);
if (!['failures', 'filter'].includes(mode) || !file) {
  console.error('usage: trx.js failures|filter <file.trx>');
  process.exit(2);
}

const xml = fs.readFileSync(file, 'utf8');
const unescape = s => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
const attribute = (tag, name) => { const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag); return m ? unescape(m[1]) : null; };

// <UnitTestResult ... outcome="Failed" ...> ... </UnitTestResult> (a result with no body is self-closed).
const failed = [];
for (const m of xml.matchAll(/<UnitTestResult\s[^>]*?(\/>|>([\s\S]*?)<\/UnitTestResult>)/g)) {
  const tag = m[0].slice(0, m[0].indexOf('>') + 1);
  if (attribute(tag, 'outcome') !== 'Failed') continue;
  const message = /<Message>([\s\S]*?)<\/Message>/.exec(m[2] || '');
  failed.push({ id: attribute(tag, 'testId'), name: attribute(tag, 'testName'), message: message ? unescape(message[1]).split('\n')[0].trim() : '' });
}

if (mode === 'failures') {
  for (const f of failed) console.log(`${f.name}: ${f.message.slice(0, 300)}`);
  process.exit(0);
}

// The method of each failed test: <UnitTest id="..."> ... <TestMethod className="..." name="..." /> ... </UnitTest>
const methods = new Set();
for (const m of xml.matchAll(/<UnitTest\s[^>]*>[\s\S]*?<\/UnitTest>/g)) {
  const id = attribute(m[0].slice(0, m[0].indexOf('>') + 1), 'id');
  if (!failed.some(f => f.id === id)) continue;
  const method = /<TestMethod\s[^>]*>/.exec(m[0]);
  if (method) methods.add(`${attribute(method[0], 'className')}.${attribute(method[0], 'name')}`);
}
console.log([...methods].map(name => `FullyQualifiedName=${name}`).join('|'));
