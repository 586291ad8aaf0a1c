-- Default configuration for vim.lsp.enable("iamlens") (Neovim >= 0.11).
-- require("iamlens").setup() overrides it with your options and adds the
-- :Iamlens* commands; without setup() you get the hints and lenses only.
return {
  cmd = { "iamlens", "lsp" },
  filetypes = { "python" },
  root_markers = { "pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", ".git" },
  handlers = {
    -- The server asks before writing to AWS (e.g. the quick fix that adds a
    -- statement to a role): "Write to IAM" or "Cancel", in a confirm dialog.
    ["window/showMessageRequest"] = function(...)
      return require("iamlens.commands").show_message_request(...)
    end,
  },
}
