#!/usr/bin/env node
// Checks AzDockerVm's fake-ARM traffic logs against the Azure REST API specs vendored in
// ./specification, using oav's LiveValidator (ARM rules on). See README.md.
//
//   node validate-traffic.js [--fail-on-uncovered] [--debug] FILE.jsonl...
//
// Exit: 0 no violations, 1 violations (or uncovered exchanges with --fail-on-uncovered),
//       2 bad usage, unreadable or malformed input, no exchanges at all, or a validator failure.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const ARM_ORIGIN = "https://management.azure.com";
const SPEC_ROOT = path.join(__dirname, "specification");
const USAGE = "usage: node validate-traffic.js [--fail-on-uncovered] [--debug] FILE.jsonl...";

// oav runtime exception codes meaning "no operation in the loaded specs matches this request".
const UNCOVERED_CODES = new Set([
  "OPERATION_NOT_FOUND_IN_CACHE",
  "OPERATION_NOT_FOUND_IN_CACHE_WITH_VERB",
  "OPERATION_NOT_FOUND_IN_CACHE_WITH_API",
  "OPERATION_NOT_FOUND_IN_CACHE_WITH_PROVIDER",
  "PATH_NOT_FOUND_IN_REQUEST_URL",
  "NO_OPERATION_FOUND",
]);

class InputError extends Error {} // expected failure (bad input, nothing to validate, no oav): message only
class UsageError extends InputError {} // bad command line: message and usage

function parseArgs(args) {
  const opts = { failOnUncovered: false, debug: false, files: [] };
  let optionsDone = false;
  for (const arg of args) {
    if (optionsDone || !arg.startsWith("-")) opts.files.push(arg);
    else if (arg === "--") optionsDone = true;
    else if (arg === "--fail-on-uncovered") opts.failOnUncovered = true;
    else if (arg === "--debug") opts.debug = true;
    else if (arg === "-h" || arg === "--help") opts.help = true;
    else throw new UsageError(`unknown option ${arg}`);
  }
  if (!opts.help && opts.files.length === 0) throw new UsageError("no traffic file given");
  return opts;
}

// oav wants flat string header values; the captured Host is the fake's, not ARM's.
function armHeaders(raw) {
  const out = {};
  for (const [name, value] of Object.entries(raw || {})) {
    if (value == null || name.toLowerCase() === "host") continue;
    out[name] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return out;
}

function toPair(x) {
  if (x === null || typeof x !== "object" || Array.isArray(x)) throw new Error("not a JSON object");
  if (typeof x.method !== "string" || typeof x.url !== "string") throw new Error('"method" and "url" must be strings');
  if (!Number.isInteger(x.status)) throw new Error('"status" must be an integer');
  const u = new URL(x.url, ARM_ORIGIN);
  return {
    liveRequest: {
      url: ARM_ORIGIN + u.pathname + u.search,
      method: x.method.toUpperCase(),
      headers: armHeaders(x.requestHeaders),
      body: x.requestBody ?? null,
    },
    liveResponse: { statusCode: String(x.status), headers: armHeaders(x.responseHeaders), body: x.responseBody ?? null },
  };
}

// All input is read and checked before oav is loaded, so bad input fails fast.
function readExchanges(files) {
  const exchanges = [];
  for (const file of files) {
    let text;
    try { text = fs.readFileSync(file, "utf8"); } catch (e) { throw new InputError(`cannot read ${file}: ${e.message}`); }
    text.replace(/^\uFEFF/, "").split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === "") return;
      const where = `${file}:${i + 1}`;
      let record, pair;
      try { record = JSON.parse(line); } catch (e) { throw new InputError(`${where}: not valid JSON: ${e.message}`); }
      try { pair = toPair(record); } catch (e) { throw new InputError(`${where}: ${e.message}`); }
      exchanges.push({ where, pair });
    });
  }
  return exchanges;
}

const flat = (s) => String(s ?? "").replace(/\s+/g, " ").trim();

// One oav result -> { uncovered } or { operationId, issues: [{ side, code, at, message }] }.
function classify(result) {
  const req = result.requestValidationResult || {};
  const res = result.responseValidationResult || {};
  const reqException = result.runtimeException || req.runtimeException;
  if (reqException && UNCOVERED_CODES.has(reqException.code)) return { uncovered: reqException };
  const issues = [];
  const addException = (side, ex) => ex && issues.push({ side, code: ex.code || "RUNTIME_EXCEPTION", at: "$", message: ex.message });
  addException("request", reqException);
  if (res.runtimeException !== req.runtimeException) addException("response", res.runtimeException);
  for (const [side, r] of [["request", req], ["response", res]]) {
    for (const e of r.errors || []) {
      const at = (e.pathsInPayload && e.pathsInPayload[0]) || (e.jsonPathsInPayload && e.jsonPathsInPayload[0]) || "$";
      issues.push({ side, code: e.code, at, message: e.message });
    }
  }
  return { operationId: (req.operationInfo && req.operationInfo.operationId) || "?", issues };
}

async function main(argv) {
  const opts = parseArgs(argv);
  if (opts.help) { console.log(USAGE); return 0; }
  const exchanges = readExchanges(opts.files);
  if (exchanges.length === 0) throw new InputError("no exchanges in the input: nothing was validated");
  if (!fs.existsSync(SPEC_ROOT)) throw new InputError(`spec folder not found: ${SPEC_ROOT}`);

  let LiveValidator;
  try { ({ LiveValidator } = require("oav")); } catch (e) {
    throw new InputError(`cannot load oav (run \`npm ci\` in ${__dirname}): ${e.message}`);
  }
  const oavLog = opts.debug ? (msg, level) => console.error(`[oav ${level}] ${msg}`) : () => {};
  const validator = new LiveValidator({
    directory: SPEC_ROOT,
    swaggerPathsPattern: ["**/*.json"],
    excludedSwaggerPathsPattern: ["**/examples/**"],
    git: { shouldClone: false },
    loadValidatorInBackground: false,
    isArmCall: true,
  }, oavLog);
  await validator.initialize();

  let validated = 0, withErrors = 0, uncovered = 0;
  for (const { where, pair } of exchanges) {
    const head = `${where} ${pair.liveRequest.method} ${pair.liveRequest.url.slice(ARM_ORIGIN.length)} -> ${pair.liveResponse.statusCode}`;
    const verdict = classify(await validator.validateLiveRequestResponse(pair));
    if (verdict.uncovered) {
      uncovered++;
      if (opts.failOnUncovered) console.log(`${head} not covered: ${verdict.uncovered.code}: ${flat(verdict.uncovered.message)}`);
      continue;
    }
    validated++;
    if (verdict.issues.length > 0) withErrors++;
    for (const i of verdict.issues) console.log(`${head} [${verdict.operationId}] ${i.side} ${i.code} at ${i.at}: ${flat(i.message)}`);
  }
  console.log(`validated: ${validated} exchanges, ${withErrors} with errors, ${uncovered} not covered by the specs`);
  return withErrors > 0 || (opts.failOnUncovered && uncovered > 0) ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code), // oav may leave timers behind; stdout to a file or pipe is synchronous
  (e) => {
    if (e instanceof UsageError) console.error(`error: ${e.message}\n${USAGE}`);
    else if (e instanceof InputError) console.error(`error: ${e.message}`);
    else console.error(`error: validator failed: ${(e && e.stack) || e}`);
    process.exit(2);
  },
);
