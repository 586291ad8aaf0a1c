-- :checkhealth iamlens
local M = {}

function M.check()
  local health = vim.health
  health.start("iamlens")
  if vim.fn.has("nvim-0.11") == 1 then
    health.ok("Neovim " .. tostring(vim.version()))
  else
    health.error("Neovim 0.11 or newer is needed (vim.lsp.config / vim.lsp.enable)")
  end
  local iamlens = require("iamlens")
  if not iamlens.options then
    health.warn('setup() has not run: add require("iamlens").setup({ region = ..., account = ... }) to your config')
    return
  end
  local exe = iamlens.options.cmd[1]
  if vim.fn.executable(exe) == 1 then
    local out = vim.fn.system({ exe, "version" })
    health.ok(string.format("server %s (%s)", vim.fn.exepath(exe), vim.trim(out)))
  else
    health.error(string.format('server "%s" not found', exe), {
      "cargo install --path server (in the iamlens repository)",
      'or require("iamlens").setup({ cmd = { "/path/to/iamlens", "lsp" } })',
    })
  end
  local clients = vim.lsp.get_clients({ name = "iamlens" })
  if #clients > 0 then
    health.ok(string.format("%d iamlens client(s) running", #clients))
  else
    health.info(string.format(
      "no iamlens client running yet (open a %s file; filetypes: %s)",
      require("iamlens.config").language_names,
      table.concat(iamlens.options.filetypes, ", ")
    ))
  end
end

return M
