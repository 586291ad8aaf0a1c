-- The user commands and the client-side handlers of the server's commands.
-- Each runs one workspace/executeCommand and shows the result as JSON;
-- anything that writes to AWS is confirmed first.
local config = require("iamlens.config")
local denial = require("iamlens.denial")
local results = require("iamlens.results")

local M = {}

local SCOPES = { "file", "workspace", "function" }

local function notify(message, level)
  vim.notify("iamlens: " .. message, level or vim.log.levels.ERROR)
end

local function client_for(bufnr)
  local clients = vim.lsp.get_clients({ name = "iamlens", bufnr = bufnr })
  if #clients == 0 then
    clients = vim.lsp.get_clients({ name = "iamlens" })
  end
  return clients[1]
end

--- Runs server command `command` with one argument object; calls
--- `on_result(result)` on success, reports failures with vim.notify.
function M.execute(command, args, on_result, bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local client = client_for(bufnr)
  if not client then
    notify("the language server is not running (open a " .. config.language_names .. " file; see :checkhealth iamlens)")
    return
  end
  client:request("workspace/executeCommand", { command = command, arguments = { args } }, function(err, result)
    if err then
      notify(string.format("%s failed: %s", command, err.message or vim.inspect(err)))
      return
    end
    on_result(result)
  end, bufnr)
end

--- Asks before writing to AWS (a modal confirm); true when the user agreed.
function M.confirm_aws_write(question, detail)
  return vim.fn.confirm(question .. "\n" .. detail, "&Yes\n&No", 2, "Warning") == 1
end

--- The policy-name prefix of uploads (the server's and the CLI's default).
M.DEFAULT_PREFIX = "IamPolicyAutopilotGeneratedPolicy"

local CONFIRM_KIND = { [1] = "Error", [2] = "Warning", [3] = "Info", [4] = "Info" }

--- Handler of the server's window/showMessageRequest: the server asks before
--- a write no confirmed preview covers (e.g. the quick fix that adds a
--- statement to a role). Shown with the same confirm dialog as the plugin's
--- own questions; returns the chosen MessageActionItem, or vim.NIL when the
--- dialog is dismissed (the server then writes nothing).
function M.show_message_request(_, params)
  params = type(params) == "table" and params or {}
  local message = type(params.message) == "string" and params.message or ""
  local actions = type(params.actions) == "table" and params.actions or {}
  if #actions == 0 then
    vim.notify("iamlens: " .. message, vim.log.levels.INFO)
    return vim.NIL
  end
  local choices, default = {}, 0
  for i, action in ipairs(actions) do
    local title = tostring(action.title):gsub("[\r\n]+", " ")
    table.insert(choices, "&" .. title:gsub("&", "&&"))
    if title == "Cancel" then
      default = i -- <CR> must not be the answer that writes
    end
  end
  local choice = vim.fn.confirm(message, table.concat(choices, "\n"), default, CONFIRM_KIND[params.type] or "Question")
  return actions[choice] or vim.NIL
end

--- The filetypes the server attaches to: setup()'s `filetypes`, else the defaults.
local function supported_filetypes()
  local options = package.loaded["iamlens"] and package.loaded["iamlens"].options
  return (options and options.filetypes) or config.filetypes
end

local function is_supported(buf)
  return vim.tbl_contains(supported_filetypes(), vim.bo[buf].filetype)
end

--- The current buffer when iamlens reads its filetype, else nil (and a warning).
local function supported_buffer()
  local buf = vim.api.nvim_get_current_buf()
  if not is_supported(buf) then
    notify(
      string.format(
        "open a %s file first (this command works on the current buffer; filetypes: %s)",
        config.language_names,
        table.concat(supported_filetypes(), ", ")
      ),
      vim.log.levels.WARN
    )
    return nil
  end
  return buf
end

local function position(buf)
  local client = client_for(buf)
  local encoding = client and client.offset_encoding or "utf-16"
  return vim.lsp.util.make_position_params(0, encoding).position
end

local function scope_args(scope)
  if scope == "workspace" then
    return { scope = "workspace" }
  end
  local buf = supported_buffer()
  if not buf then
    return nil
  end
  local args = { scope = scope, uri = vim.uri_from_bufnr(buf) }
  if scope == "function" then
    args.position = position(buf)
  end
  return args, buf
end

function M.generate_policy(scope)
  scope = scope ~= "" and scope or "file"
  if not vim.tbl_contains(SCOPES, scope) then
    notify(string.format("unknown scope %q: use file, workspace or function", scope))
    return
  end
  local args, buf = scope_args(scope)
  if not args then
    return
  end
  M.execute("iamlens.generatePolicy", args, function(result)
    results.show("policy/" .. scope, result)
  end, buf)
end

--- The id of a previewed write (the server's PlanId), or nil.
local function plan_id(preview)
  local id = type(preview) == "table" and preview.PlanId or nil
  return type(id) == "string" and id ~= "" and id or nil
end

local function fix_with_message(message)
  message = vim.trim(message or "")
  if message == "" then
    notify("no AccessDenied message given: yank it into a register, or paste it at the prompt", vim.log.levels.WARN)
    return
  end
  M.execute("iamlens.fixAccessDenied", { message = message, apply = false }, function(plan)
    results.show("access-denied", plan)
    if not denial.applicable(plan) then
      return
    end
    local ok = M.confirm_aws_write(
      string.format("Apply the fix for %s?", tostring(plan.Action or "this action")),
      string.format(
        "%s\nThis adds an Allow to the inline policy of %s in AWS IAM.",
        type(plan.Remedy.Summary) == "string" and plan.Remedy.Summary or "",
        tostring(plan.Principal or "the principal")
      )
    )
    if ok then
      -- The plan id makes the server apply exactly the fix shown, without
      -- asking again (a server without plan ids asks itself, or just applies).
      M.execute("iamlens.fixAccessDenied", { message = message, apply = true, planId = plan_id(plan) }, function(applied)
        results.show("access-denied", applied)
      end)
    end
  end)
end

--- :IamlensFixAccessDenied [register] — the message comes from the given
--- register, else from the selected lines, else from a prompt prefilled with
--- the clipboard (or unnamed register) when that holds a denial.
function M.fix_access_denied(opts)
  local register = vim.trim(opts.args or "")
  if register ~= "" then
    if #register ~= 1 then
      notify(string.format("%q is not a register name: give one character, e.g. :IamlensFixAccessDenied +", register))
      return
    end
    fix_with_message(vim.fn.getreg(register))
    return
  end
  if opts.range and opts.range > 0 then
    fix_with_message(table.concat(vim.api.nvim_buf_get_lines(0, opts.line1 - 1, opts.line2, false), "\n"))
    return
  end
  local default = ""
  for _, r in ipairs({ "+", '"' }) do
    local ok, text = pcall(vim.fn.getreg, r)
    if ok and denial.looks_like_denial(text) then
      default = vim.trim(text):gsub("\n", " ")
      break
    end
  end
  vim.ui.input({ prompt = "AccessDenied message: ", default = default }, fix_with_message)
end

--- Previews the upload of `args` (a dry run: it checks the credentials and
--- names every IAM change), asks with the plan, and writes exactly that plan
--- (its PlanId), so the server does not ask a second time.
local function upload_confirmed(args, target, bufnr)
  local preview_args = vim.tbl_extend("force", args, { dryRun = true })
  preview_args.planId = nil
  M.execute("iamlens.uploadPolicy", preview_args, function(preview)
    preview = type(preview) == "table" and preview or {}
    local detail
    if type(preview.Plan) == "string" and preview.Plan ~= "" then
      detail = preview.Plan
    else
      local lines = type(preview.Summary) == "table" and preview.Summary or {}
      detail = #lines > 0 and table.concat(lines, "\n")
        or string.format("Creates managed policies named %s_N.", args.prefix or M.DEFAULT_PREFIX)
    end
    local account = type(preview.Account) == "string" and preview.Account or "of your current credentials"
    if
      not M.confirm_aws_write(
        string.format("Upload the IAM policy for %s to AWS account %s?", target, account),
        detail .. "\nThis uses iam:CreatePolicy with your current AWS credentials."
      )
    then
      notify("upload cancelled; nothing was written to AWS", vim.log.levels.INFO)
      return
    end
    local write_args = vim.tbl_extend("force", args, { planId = plan_id(preview) })
    write_args.dryRun = nil
    M.execute("iamlens.uploadPolicy", write_args, function(result)
      results.show("upload", result)
    end, bufnr)
  end, bufnr)
end

--- :IamlensUploadPolicy [file|workspace] [prefix]
function M.upload_policy(opts)
  local scope = opts.fargs[1] or "file"
  if scope ~= "file" and scope ~= "workspace" then
    notify(string.format("unknown scope %q: use :IamlensUploadPolicy [file|workspace] [prefix]", scope))
    return
  end
  local prefix = opts.fargs[2] or M.DEFAULT_PREFIX
  if not prefix:match("^[%w+=,.@_-]+$") or #prefix > 120 then
    notify(string.format("%q is not a valid policy name prefix (letters, digits and + = , . @ _ -)", prefix))
    return
  end
  local args, buf = scope_args(scope)
  if not args then
    return
  end
  args.prefix = prefix
  local target = scope == "file" and vim.fn.fnamemodify(vim.api.nvim_buf_get_name(buf), ":~:.") or "the workspace"
  upload_confirmed(args, target, buf)
end

function M.explain()
  local buf = supported_buffer()
  if not buf then
    return
  end
  M.execute("iamlens.explain", { uri = vim.uri_from_bufnr(buf), position = position(buf) }, function(result)
    results.show("explain", result)
  end, buf)
end

local function supports(client, command)
  local provider = client.server_capabilities and client.server_capabilities.executeCommandProvider
  return provider ~= nil and vim.tbl_contains(provider.commands or {}, command)
end

--- Makes the server check the code against `role`: with its iamlens.checkRole
--- command when it has one, else through the `role` setting, which makes it
--- mark the calls the role would deny as warnings.
function M.check_against(role, bufnr)
  local client = client_for(bufnr)
  if not client then
    notify("the language server is not running (open a " .. config.language_names .. " file; see :checkhealth iamlens)")
    return
  end
  if supports(client, "iamlens.checkRole") then
    local uri = is_supported(bufnr) and vim.uri_from_bufnr(bufnr) or nil
    M.execute("iamlens.checkRole", { role = role, uri = uri }, function(result)
      results.show("check-role", result)
    end, bufnr)
    return
  end
  client.settings = vim.tbl_deep_extend("force", client.settings or {}, { iamlens = { role = role } })
  client:notify("workspace/didChangeConfiguration", { settings = client.settings })
  notify(
    string.format("checking this code against role %s: calls it would deny show as warnings (:lua vim.diagnostic.setqflist())", role),
    vim.log.levels.INFO
  )
end

function M.check_role(opts, default_role)
  local bufnr = vim.api.nvim_get_current_buf()
  local function run(role)
    role = vim.trim(role or "")
    if role == "" then
      notify("no role given: :IamlensCheckRole ROLE-NAME-OR-ARN (or set role in setup())", vim.log.levels.WARN)
      return
    end
    M.check_against(role, bufnr)
  end
  if opts.args ~= "" then
    run(opts.args)
  elseif default_role then
    run(default_role)
  else
    vim.ui.input({ prompt = "Role name or ARN: " }, run)
  end
end

--- Client-side handlers for commands the server puts on code lenses, so
--- running a lens shows its result (and confirms AWS writes).
M.client_commands = {
  ["iamlens.generatePolicy"] = function(command, ctx)
    local args = (command.arguments or {})[1] or {}
    M.execute(command.command, args, function(result)
      results.show("policy/" .. tostring(args.scope or "file"), result)
    end, ctx.bufnr)
  end,
  -- The code action "Upload policy to IAM…": previewed and confirmed like
  -- :IamlensUploadPolicy.
  ["iamlens.uploadPolicy"] = function(command, ctx)
    local args = (command.arguments or {})[1] or {}
    if args.dryRun == true then
      M.execute(command.command, args, function(result)
        results.show("upload", result)
      end, ctx.bufnr)
      return
    end
    local target = "the workspace"
    if type(args.uri) == "string" and args.scope ~= "workspace" then
      target = vim.fn.fnamemodify(vim.uri_to_fname(args.uri), ":~:.")
    end
    upload_confirmed(args, target, ctx.bufnr)
  end,
}

function M.create_user_commands(options)
  local create = vim.api.nvim_create_user_command
  create("IamlensGeneratePolicy", function(o)
    M.generate_policy(o.args)
  end, {
    nargs = "?",
    complete = function()
      return SCOPES
    end,
    desc = "iamlens: least-privilege IAM policy for this file, the workspace or the function at the cursor",
  })
  create("IamlensFixAccessDenied", M.fix_access_denied, {
    nargs = "?",
    range = true,
    desc = "iamlens: explain an AccessDenied error (from a register, the selected lines or a prompt) and propose the fix",
  })
  create("IamlensUploadPolicy", M.upload_policy, {
    nargs = "*",
    complete = function(_, line)
      return #vim.split(line, "%s+") <= 2 and { "file", "workspace" } or {}
    end,
    desc = "iamlens: upload the generated policy to IAM (asks first)",
  })
  create("IamlensExplain", M.explain, { desc = "iamlens: the IAM actions of the call under the cursor" })
  create("IamlensCheckRole", function(o)
    M.check_role(o, options.role)
  end, { nargs = "?", desc = "iamlens: check this code against a role's policies" })
end

return M
