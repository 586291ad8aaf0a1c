"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { newWorld } = require("./harness");

const { summarizeEnvelope, statusText, statusTooltip } = newWorld().load("policySummary.js");
const { looksLikeAccessDenied } = newWorld().load("denial.js");

const envelope = {
  Policies: [
    {
      Policy: {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: ["arn:aws:s3:::b/*"] },
          { Effect: "Allow", Action: "kms:Decrypt", Resource: "*" },
        ],
      },
      PolicyType: "Identity",
    },
    { Policy: { Statement: { Effect: "Allow", Action: ["s3:GetObject", "dynamodb:GetItem"], Resource: "*" } } },
  ],
  Warnings: [],
};

test("actions are counted once across statements and split policies", () => {
  const summary = summarizeEnvelope(envelope);
  assert.deepEqual(summary.actions, ["dynamodb:GetItem", "kms:Decrypt", "s3:GetObject", "s3:PutObject"]);
  assert.deepEqual(summary.services, ["dynamodb", "kms", "s3"]);
  assert.equal(statusText(summary), "$(shield) IAM: 4 actions");
  assert.match(statusTooltip(summary), /4 IAM actions across 3 services/);
});

test("an empty or malformed envelope counts nothing instead of throwing", () => {
  for (const value of [null, undefined, "x", {}, { Policies: "no" }, { Policies: [null, { Policy: 3 }] }]) {
    assert.deepEqual(summarizeEnvelope(value), { actions: [], services: [] });
  }
  assert.equal(statusText({ actions: [], services: [] }), "$(shield) IAM: no actions");
  assert.equal(statusText({ actions: ["s3:GetObject"], services: ["s3"] }), "$(shield) IAM: 1 action");
});

test("AccessDenied wordings of every family are recognised on the clipboard", () => {
  const denials = [
    "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::b/k\" because no identity-based policy allows the s3:GetObject action",
    "An error occurred (AccessDeniedException) when calling the GetItem operation: User: x is not authorized to perform: dynamodb:GetItem",
    "operation error S3: GetObject, https response error StatusCode: 403, api error AccessDenied: Access Denied",
    "An error occurred (UnauthorizedOperation) when calling the RunInstances operation: You are not authorized to perform this operation. Encoded authorization failure message: abc",
    "An error occurred (403) when calling the HeadObject operation: Forbidden",
    "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
  ];
  for (const d of denials) assert.ok(looksLikeAccessDenied(d), d);
});

test("ordinary clipboard text is not taken for a denial", () => {
  for (const text of ["", "   ", "import boto3", "s3.get_object(Bucket='b')", "access granted", undefined, null, "AccessDenied ".repeat(5000)]) {
    assert.equal(looksLikeAccessDenied(text), false, String(text).slice(0, 40));
  }
});
