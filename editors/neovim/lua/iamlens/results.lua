-- Result buffers: scratch buffers with filetype=json, one per kind of result.
local json = require("iamlens.json")

local M = {}

--- Shows `value` as JSON in the scratch buffer `iamlens://<name>`, reusing
--- it (and its window) when it is already there. Returns the buffer number.
function M.show(name, value)
  local bufname = "iamlens://" .. name
  local buf = vim.fn.bufnr(bufname)
  if buf == -1 then
    buf = vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_name(buf, bufname)
    vim.bo[buf].buftype = "nofile"
    vim.bo[buf].bufhidden = "hide"
    vim.bo[buf].swapfile = false
  end
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, json.pretty_lines(value))
  vim.bo[buf].modifiable = false
  vim.bo[buf].modified = false
  vim.bo[buf].filetype = "json"
  local win = vim.fn.bufwinid(buf)
  if win == -1 then
    vim.cmd("botright split")
    vim.api.nvim_win_set_buf(0, buf)
  else
    vim.api.nvim_set_current_win(win)
  end
  return buf
end

return M
