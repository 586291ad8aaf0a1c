-- Options of require("iamlens").setup() and the server settings they become.
local M = {}

--- The filetypes iamlens reads: Python, JavaScript and TypeScript (with JSX),
--- Go and Java. The default of the `filetypes` option and of lsp/iamlens.lua.
M.filetypes = { "python", "javascript", "typescript", "javascriptreact", "typescriptreact", "go", "java" }

--- Files that mark a project root in those languages (nearer markers first
--- in this order; .git last).
M.root_markers = {
  "pyproject.toml",
  "setup.py",
  "setup.cfg",
  "requirements.txt",
  "go.mod",
  "pom.xml",
  "build.gradle",
  "tsconfig.json",
  "package.json",
  ".git",
}

--- How messages name the supported files ("open a ... file").
M.language_names = "Python, JavaScript, TypeScript, Go or Java"

M.defaults = {
  -- The server command; "iamlens" must be on PATH unless you give a path.
  cmd = { "iamlens", "lsp" },
  filetypes = vim.deepcopy(M.filetypes),
  root_markers = vim.deepcopy(M.root_markers),
  -- AWS region and account used in resource ARNs (nil: "*").
  region = nil,
  account = nil,
  -- Keep only calls to these services (botocore names: "s3", "dynamodb", ...).
  service_hints = {},
  -- More ARNs than this in one statement collapse to a wildcard.
  resource_cutoff = 4,
  -- Include KMS actions services take on your behalf (kms:ViaService).
  kms_via_service = true,
  -- Show IAM actions at the end of each AWS call.
  inlay_hints = true,
  -- Show "IAM: N actions · M services" above functions, refreshed as you edit.
  code_lens = true,
  -- Role name or ARN for :IamlensCheckRole without an argument.
  role = nil,
  -- Serve the MCP endpoint from the language server (port nil or 0: any free port).
  mcp = { enable = false, port = nil },
  -- What the templates are deployed as: stack name (generated resource names
  -- start with it), Serverless stage, template parameter values. A
  -- samconfig.toml beside a template fills what is not set here.
  stack_name = nil,
  stage = nil,
  parameter_overrides = {},
}

function M.known_options()
  local names = { "region", "account", "role", "stack_name", "stage" }
  for name in pairs(M.defaults) do
    table.insert(names, name)
  end
  table.sort(names)
  return names
end

local function check(errors, name, value, kind, optional)
  if value == nil and optional then
    return
  end
  if type(value) ~= kind then
    table.insert(errors, string.format("%s must be a %s (got %s)", name, kind, vim.inspect(value)))
  end
end

--- Merges user options over the defaults. Returns the options, or nil and a
--- message naming every wrong option.
function M.resolve(user)
  if user ~= nil and type(user) ~= "table" then
    return nil, "iamlens.setup() takes a table of options, e.g. { region = \"us-east-1\" }"
  end
  -- Lists (cmd, filetypes, service_hints) replace the defaults rather than merge.
  local opts = vim.deepcopy(M.defaults)
  for key, value in pairs(user or {}) do
    local optional = { region = true, account = true, role = true, stack_name = true, stage = true }
    if M.defaults[key] == nil and not optional[key] then
      return nil, string.format("iamlens.setup(): unknown option %q (known: %s)", key, table.concat(M.known_options(), ", "))
    end
    if key == "mcp" and type(value) == "table" then
      opts.mcp = vim.tbl_extend("force", opts.mcp, value)
    else
      opts[key] = vim.deepcopy(value)
    end
  end
  if type(opts.cmd) == "string" then
    opts.cmd = { opts.cmd, "lsp" }
  end
  local errors = {}
  check(errors, "cmd", opts.cmd, "table")
  check(errors, "filetypes", opts.filetypes, "table")
  check(errors, "region", opts.region, "string", true)
  check(errors, "account", opts.account, "string", true)
  check(errors, "service_hints", opts.service_hints, "table")
  check(errors, "resource_cutoff", opts.resource_cutoff, "number")
  check(errors, "kms_via_service", opts.kms_via_service, "boolean")
  check(errors, "inlay_hints", opts.inlay_hints, "boolean")
  check(errors, "code_lens", opts.code_lens, "boolean")
  check(errors, "role", opts.role, "string", true)
  check(errors, "mcp", opts.mcp, "table")
  check(errors, "stack_name", opts.stack_name, "string", true)
  check(errors, "stage", opts.stage, "string", true)
  check(errors, "parameter_overrides", opts.parameter_overrides, "table")
  if type(opts.account) == "string" and not opts.account:match("^%d%d%d%d%d%d%d%d%d%d%d%d$") then
    table.insert(errors, string.format("account must be a 12-digit AWS account id (got %q)", opts.account))
  end
  if type(opts.resource_cutoff) == "number" and (opts.resource_cutoff < 0 or opts.resource_cutoff % 1 ~= 0) then
    table.insert(errors, "resource_cutoff must be a whole number >= 0")
  end
  if #errors > 0 then
    return nil, "iamlens.setup(): " .. table.concat(errors, "; ")
  end
  return opts
end

local function or_null(value)
  if value == nil or value == "" then
    return vim.NIL
  end
  return value
end

--- The settings object the server reads from initializationOptions and
--- workspace/didChangeConfiguration.
function M.server_settings(opts)
  local hints = {}
  for _, h in ipairs(opts.service_hints or {}) do
    table.insert(hints, h)
  end
  return {
    iamlens = {
      region = or_null(opts.region),
      account = or_null(opts.account),
      serviceHints = hints,
      resourceCutoff = opts.resource_cutoff,
      kmsViaService = opts.kms_via_service,
      inlayHints = { enable = opts.inlay_hints },
      codeLens = { enable = opts.code_lens },
      role = or_null(opts.role),
      mcp = { enable = opts.mcp.enable == true, port = or_null(opts.mcp.port) },
      stackName = or_null(opts.stack_name),
      stage = or_null(opts.stage),
      parameterOverrides = vim.tbl_isempty(opts.parameter_overrides or {}) and vim.empty_dict() or opts.parameter_overrides,
    },
  }
end

return M
