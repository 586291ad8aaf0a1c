-- iamlens for Neovim >= 0.11: the IAM permissions of each AWS call as inlay
-- hints, code lenses per function, and commands that write the policy.
--
--   require("iamlens").setup({ region = "us-east-1", account = "123456789012" })
local config = require("iamlens.config")
local commands = require("iamlens.commands")

local M = {}

--- The resolved options of the last successful setup() (nil before).
M.options = nil

local group = vim.api.nvim_create_augroup("iamlens", { clear = true })

local function refresh_code_lenses(bufnr)
  if M.options and M.options.code_lens and vim.api.nvim_buf_is_valid(bufnr) then
    vim.lsp.codelens.refresh({ bufnr = bufnr })
  end
end

--- The vim.lsp.config() table for the server (also usable with other setups).
function M.lsp_config(opts)
  local settings = config.server_settings(opts)
  return {
    cmd = opts.cmd,
    filetypes = opts.filetypes,
    root_markers = opts.root_markers,
    init_options = settings,
    settings = settings,
    commands = commands.client_commands,
    handlers = {
      -- The server's own question before a write to AWS (when no confirmed
      -- preview covers it), asked like the plugin's other confirmations.
      ["window/showMessageRequest"] = commands.show_message_request,
      -- Neovim 0.11 has no handler for this server request.
      ["workspace/codeLens/refresh"] = function(_, _, ctx)
        for _, bufnr in ipairs(vim.lsp.get_buffers_by_client_id(ctx.client_id)) do
          refresh_code_lenses(bufnr)
        end
        return vim.NIL
      end,
    },
  }
end

local function on_attach(args)
  local client = vim.lsp.get_client_by_id(args.data.client_id)
  if not client or client.name ~= "iamlens" then
    return
  end
  local bufnr = args.buf
  if M.options.inlay_hints then
    vim.lsp.inlay_hint.enable(true, { bufnr = bufnr })
  end
  if M.options.code_lens then
    refresh_code_lenses(bufnr)
    vim.api.nvim_clear_autocmds({ group = group, buffer = bufnr })
    vim.api.nvim_create_autocmd({ "BufEnter", "InsertLeave", "TextChanged", "BufWritePost" }, {
      group = group,
      buffer = bufnr,
      callback = function()
        refresh_code_lenses(bufnr)
      end,
      desc = "iamlens: refresh code lenses",
    })
  end
end

--- Configures and enables the language server. Returns true on success;
--- on bad options or a missing server it says what to do and returns false.
function M.setup(user)
  if vim.fn.has("nvim-0.11") == 0 then
    vim.notify("iamlens needs Neovim 0.11 or newer (vim.lsp.config)", vim.log.levels.ERROR)
    return false
  end
  local opts, err = config.resolve(user)
  if not opts then
    vim.notify(err, vim.log.levels.ERROR)
    return false
  end
  M.options = opts
  commands.create_user_commands(opts)
  vim.api.nvim_clear_autocmds({ group = group })
  vim.api.nvim_create_autocmd("LspAttach", { group = group, callback = on_attach, desc = "iamlens: hints and lenses" })
  local lsp_config = M.lsp_config(opts)
  vim.lsp.config("iamlens", lsp_config)
  -- Calling setup() again (re-sourcing the config) updates running servers.
  for _, client in ipairs(vim.lsp.get_clients({ name = "iamlens" })) do
    client.settings = lsp_config.settings
    client:notify("workspace/didChangeConfiguration", { settings = lsp_config.settings })
  end
  if vim.fn.executable(opts.cmd[1]) == 0 then
    vim.notify(
      string.format(
        'iamlens: the language server "%s" was not found or is not executable. Install iamlens '
          .. "(cargo install --path server, in the iamlens repository) or give its path: "
          .. 'require("iamlens").setup({ cmd = { "/path/to/iamlens", "lsp" } })',
        opts.cmd[1]
      ),
      vim.log.levels.ERROR
    )
    return false
  end
  vim.lsp.enable("iamlens")
  return true
end

return M
