-- Default configuration for vim.lsp.enable("iamlens") (Neovim >= 0.11).
-- require("iamlens").setup() overrides it with your options and adds the
-- :Iamlens* commands; without setup() you get the hints and lenses only.
-- Attaches to Python, JavaScript, TypeScript (and their React variants) and Go.
local config = require("iamlens.config")
return {
  cmd = { "iamlens", "lsp" },
  filetypes = vim.deepcopy(config.filetypes),
  root_markers = vim.deepcopy(config.root_markers),
  handlers = {
    -- The server asks before writing to AWS (e.g. the quick fix that adds a
    -- statement to a role): "Write to IAM" or "Cancel", in a confirm dialog.
    ["window/showMessageRequest"] = function(...)
      return require("iamlens.commands").show_message_request(...)
    end,
  },
}
