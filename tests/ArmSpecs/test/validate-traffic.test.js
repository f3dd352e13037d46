// Self-test of validate-traffic.js on the samples in ../samples: `npm test`.
"use strict";
const { test, after } = require("node:test");
const assert = require("node:assert/strict");
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const root = path.join(__dirname, "..");
const run = (...args) => {
  const r = spawnSync(process.execPath, [path.join(root, "validate-traffic.js"), ...args], { cwd: root, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr, all: `exit ${r.status}\n${r.stdout}${r.stderr}` };
};
const lines = (out) => out.split("\n").filter(Boolean);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "armspecs-test-"));
const tmpFile = (name, text) => { const f = path.join(tmp, name); fs.writeFileSync(f, text); return f; };
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test("valid sample passes quietly", () => {
  const r = run("samples/valid.jsonl");
  assert.equal(r.code, 0, r.all);
  assert.deepEqual(lines(r.out), ["validated: 16 exchanges, 0 with errors, 2 not covered by the specs"], r.all);
  assert.equal(r.err, "", "oav's own log must stay quiet");
});

test("invalid sample: every violation is named, exit 1", () => {
  const r = run("samples/invalid.jsonl");
  assert.equal(r.code, 1, r.all);
  const expected = [
    [1, "PUT", "VirtualMachines_CreateOrUpdate", "request READONLY_PROPERTY_NOT_ALLOWED_IN_REQUEST at /properties/provisioningState: "],
    [2, "PUT", "NetworkSecurityGroups_CreateOrUpdate", "request INVALID_TYPE at /properties/securityRules/0/properties/priority: "],
    [3, "GET", "VirtualMachines_Get", "response SECRET_PROPERTY at /properties/osProfile/adminPassword: "],
    [4, "GET", "PublicIPAddresses_Get", "response MISSING_RESOURCE_ID at $: "],
    [5, "PUT", "ResourceGroups_CreateOrUpdate", "request OBJECT_MISSING_REQUIRED_PROPERTY at /location: "],
    [6, "GET", "VirtualMachineExtensions_Get", "response INVALID_TYPE at /properties/autoUpgradeMinorVersion: "],
  ];
  const violations = lines(r.out).slice(0, -1);
  assert.equal(violations.length, expected.length, r.all);
  expected.forEach(([line, method, op, tail], i) => {
    const v = violations[i];
    assert.ok(v.startsWith(`samples/invalid.jsonl:${line} ${method} /subscriptions/`), v);
    assert.ok(v.includes(`?api-version=`) && !v.includes("127.0.0.1"), v);
    assert.ok(v.includes(` [${op}] ${tail}`), `line ${line}: expected "[${op}] ${tail}" in\n${v}`);
  });
  assert.equal(lines(r.out).at(-1), "validated: 6 exchanges, 6 with errors, 0 not covered by the specs");
});

test("--fail-on-uncovered names the LRO polling GETs and exits 1", () => {
  const r = run("--fail-on-uncovered", "samples/valid.jsonl");
  assert.equal(r.code, 1, r.all);
  const uncovered = lines(r.out).filter((l) => l.includes(" not covered: "));
  assert.deepEqual(uncovered.map((l) => l.split(" ")[0]), ["samples/valid.jsonl:5", "samples/valid.jsonl:10"], r.all);
  assert.equal(lines(r.out).at(-1), "validated: 16 exchanges, 0 with errors, 2 not covered by the specs");
});

test("no traffic is a failure: empty or blank input exits 2", () => {
  for (const f of [tmpFile("empty.jsonl", ""), tmpFile("blank.jsonl", "\n  \n")]) {
    const r = run(f);
    assert.equal(r.code, 2, r.all);
    assert.match(r.err, /no exchanges/);
    assert.doesNotMatch(r.out, /^validated:/m);
  }
});

test("bad usage and bad input exit 2", () => {
  const good = fs.readFileSync(path.join(root, "samples/valid.jsonl"), "utf8").split("\n")[0];
  const cases = [
    [[], /no traffic file given/],
    [["--no-such-option", "samples/valid.jsonl"], /unknown option/],
    [["samples/no-such-file.jsonl"], /cannot read/],
    [[tmpFile("notjson.jsonl", `${good}\n{"method":"GET",\n`)], /notjson\.jsonl:2: not valid JSON/],
    [[tmpFile("array.jsonl", "[1,2]\n")], /array\.jsonl:1: not a JSON object/],
    [[tmpFile("nostatus.jsonl", JSON.stringify({ method: "GET", url: "/subscriptions/x" }) + "\n")], /nostatus\.jsonl:1: "status"/],
  ];
  for (const [args, message] of cases) {
    const r = run(...args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.all}`);
    assert.match(r.err, message);
  }
});
