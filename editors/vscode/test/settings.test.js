"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { newWorld } = require("./harness");

const { serverSettings, FORWARDED_KEYS } = newWorld().load("settings.js");
const reader = (values) => ({ get: (key) => values[key] });

test("defaults match the server's: no region/account, cutoff 4, KMS via-service, hints and lenses on", () => {
  assert.deepEqual(serverSettings(reader({})), {
    iamlens: {
      region: null,
      account: null,
      serviceHints: [],
      resourceCutoff: 4,
      kmsViaService: true,
      inlayHints: { enable: true },
      codeLens: { enable: true },
      role: null,
      mcp: { enable: false, port: null },
      stackName: null,
      stage: null,
      parameterOverrides: {},
    },
  });
});

test("every setting is forwarded under the server's names", () => {
  const settings = serverSettings(
    reader({
      region: "eu-west-1",
      account: "123456789012",
      serviceHints: ["s3", "dynamodb"],
      resourceCutoff: 10,
      kmsViaService: false,
      "inlayHints.enable": false,
      "codeLens.enable": false,
      role: "arn:aws:iam::123456789012:role/app",
      "mcp.enable": true,
      "mcp.port": 8123,
      stackName: "orders-prod",
      stage: "prod",
      parameterOverrides: { Stage: "prod", Retention: 7, "": "x" },
    }),
  );
  assert.deepEqual(settings.iamlens, {
    region: "eu-west-1",
    account: "123456789012",
    serviceHints: ["s3", "dynamodb"],
    resourceCutoff: 10,
    kmsViaService: false,
    inlayHints: { enable: false },
    codeLens: { enable: false },
    role: "arn:aws:iam::123456789012:role/app",
    mcp: { enable: true, port: 8123 },
    stackName: "orders-prod",
    stage: "prod",
    parameterOverrides: { Stage: "prod" },
  });
});

test("blank strings mean unset, hints are trimmed and de-duplicated, nonsense numbers fall back", () => {
  const { iamlens } = serverSettings(
    reader({ region: "  ", account: " 123456789012 ", serviceHints: [" s3", "", "s3", 7, "sqs"], resourceCutoff: -1, "mcp.port": 70000, kmsViaService: "yes" }),
  );
  assert.equal(iamlens.region, null);
  assert.equal(iamlens.account, "123456789012");
  assert.deepEqual(iamlens.serviceHints, ["s3", "sqs"]);
  assert.equal(iamlens.resourceCutoff, 4);
  assert.equal(iamlens.mcp.port, null);
  assert.equal(iamlens.kmsViaService, true);
});

test("only the forwarded keys are read from the configuration", () => {
  const read = [];
  serverSettings({ get: (key) => { read.push(key); return undefined; } });
  assert.deepEqual([...read].sort(), [...FORWARDED_KEYS].sort());
});
