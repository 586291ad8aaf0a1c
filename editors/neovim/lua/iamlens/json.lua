-- Pretty JSON for result buffers (vim.json.encode has no indentation in 0.11).
-- Object keys are sorted, so the same result always reads the same.
local M = {}

local empty_dict_mt = getmetatable(vim.empty_dict())

local function is_object(t)
  if getmetatable(t) == empty_dict_mt then
    return true
  end
  return next(t) ~= nil and not vim.islist(t)
end

local function encode(value, indent, out)
  local kind = type(value)
  if value == nil or value == vim.NIL then
    table.insert(out, "null")
  elseif kind == "table" then
    local inner = indent .. "  "
    if is_object(value) then
      local keys = vim.tbl_keys(value)
      table.sort(keys, function(a, b)
        return tostring(a) < tostring(b)
      end)
      if #keys == 0 then
        table.insert(out, "{}")
        return
      end
      table.insert(out, "{\n")
      for i, k in ipairs(keys) do
        table.insert(out, inner .. vim.json.encode(tostring(k)) .. ": ")
        encode(value[k], inner, out)
        table.insert(out, i < #keys and ",\n" or "\n")
      end
      table.insert(out, indent .. "}")
    else
      if #value == 0 then
        table.insert(out, "[]")
        return
      end
      table.insert(out, "[\n")
      for i, v in ipairs(value) do
        table.insert(out, inner)
        encode(v, inner, out)
        table.insert(out, i < #value and ",\n" or "\n")
      end
      table.insert(out, indent .. "]")
    end
  else
    table.insert(out, vim.json.encode(value))
  end
end

--- The lines of `value` as indented JSON.
function M.pretty_lines(value)
  local out = {}
  encode(value, "", out)
  return vim.split(table.concat(out), "\n", { plain = true })
end

return M
