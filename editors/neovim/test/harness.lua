-- Drives a headless Neovim for tests/e2e/test_neovim.py. Loaded by the init
-- file the test writes; the test's scenario is a Lua chunk that gets this
-- table `H` and returns a value. When the scenario ends (or fails), the
-- outcome is written as JSON to $IAMLENS_NVIM_OUT and Neovim quits.
local H = {}

H.notifications = {}
H.confirms = {}
H.inputs = {}
--- Scripted answers: H.confirm_answers (numbers for vim.fn.confirm, or
--- functions of the dialog's message returning one, to act while the dialog
--- is up), H.input_answers (strings for vim.ui.input; nil = Escape).
H.confirm_answers = {}
H.input_answers = {}

vim.notify = function(msg, level)
  table.insert(H.notifications, { message = msg, level = level or vim.log.levels.INFO })
end

vim.fn.confirm = function(msg, choices, default, kind)
  table.insert(H.confirms, { message = msg, choices = choices, default = default, kind = kind })
  local answer = table.remove(H.confirm_answers, 1)
  if type(answer) == "function" then
    answer = answer(msg)
  end
  return answer or 0 -- 0: the dialog was dismissed
end

--- The workspace/executeCommand requests the iamlens client sends, as
--- { command, args, result }, once H.record_commands() has run.
H.commands = {}

function H.record_commands()
  local client = assert(H.client(), "no iamlens client")
  local request = client.request
  client.request = function(self, method, params, handler, ...)
    if method == "workspace/executeCommand" then
      local record = { command = params.command, args = (params.arguments or {})[1] or vim.NIL }
      table.insert(H.commands, record)
      local inner = handler
      handler = function(err, result, ...)
        record.result = err and { error = err.message } or result
        if inner then
          return inner(err, result, ...)
        end
      end
    end
    return request(self, method, params, handler, ...)
  end
end

--- Runs server command `command` with `args` through the iamlens client
--- (as another plugin or a keymap would) and waits for the answer:
--- { result = ..., error = message or nil }.
function H.exec(command, args, timeout)
  local done, out = false, {}
  H.client():request("workspace/executeCommand", { command = command, arguments = { args } }, function(err, result)
    out = { result = result, error = err and (err.message or vim.inspect(err)) or nil }
    done = true
  end, 0)
  H.wait(function()
    return done
  end, timeout)
  return out
end

vim.ui.input = function(opts, on_confirm)
  table.insert(H.inputs, opts)
  on_confirm(table.remove(H.input_answers, 1))
end

--- $/progress reports of the server, as { title, kind, message }.
H.progress = {}
vim.api.nvim_create_autocmd("LspProgress", {
  callback = function(ev)
    local value = ev.data.params.value or {}
    if value.kind == "begin" then
      H.progress_titles = H.progress_titles or {}
      H.progress_titles[ev.data.params.token] = value.title
    end
    local title = value.title or (H.progress_titles or {})[ev.data.params.token]
    table.insert(H.progress, { title = title, kind = value.kind, message = value.message })
  end,
})

local TIMEOUT = tonumber(vim.env.IAMLENS_NVIM_WAIT_MS or "15000")

--- Waits until `predicate()` is truthy; false on timeout.
function H.wait(predicate, timeout)
  return vim.wait(timeout or TIMEOUT, function()
    local ok, value = pcall(predicate)
    return ok and value
  end, 20)
end

function H.client()
  return vim.lsp.get_clients({ name = "iamlens" })[1]
end

--- Waits for the iamlens client on the current buffer (and its initialize).
function H.wait_attached(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  return H.wait(function()
    local c = vim.lsp.get_clients({ name = "iamlens", bufnr = bufnr })[1]
    return c and c.initialized
  end)
end

--- Waits until the server reports the end of its workspace indexing
--- (what a user sees finish in the statusline); the end message, or nil.
function H.wait_indexed()
  local message
  H.wait(function()
    for _, p in ipairs(H.progress) do
      if p.kind == "end" and p.title and p.title:find("indexing") then
        message = p.message or ""
        return true
      end
    end
    return false
  end)
  return message
end

local function label_text(label)
  if type(label) == "string" then
    return label
  end
  local parts = {}
  for _, part in ipairs(label) do
    table.insert(parts, part.value)
  end
  return table.concat(parts)
end

--- The inlay hints of a buffer as { line, character, label } (zero-based),
--- waiting until at least `min` are there.
function H.hints(bufnr, min)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  H.wait(function()
    return #vim.lsp.inlay_hint.get({ bufnr = bufnr }) >= (min or 1)
  end)
  local out = {}
  for _, item in ipairs(vim.lsp.inlay_hint.get({ bufnr = bufnr })) do
    local h = item.inlay_hint
    table.insert(out, { line = h.position.line, character = h.position.character, label = label_text(h.label) })
  end
  table.sort(out, function(a, b)
    return a.line < b.line or (a.line == b.line and a.character < b.character)
  end)
  return out
end

--- The code lenses of a buffer as { line, title }, waiting for at least `min`.
function H.lenses(bufnr, min)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  H.wait(function()
    local n = 0
    for _, lens in ipairs(vim.lsp.codelens.get(bufnr)) do
      if lens.command then
        n = n + 1
      end
    end
    return n >= (min or 1)
  end)
  local out = {}
  for _, lens in ipairs(vim.lsp.codelens.get(bufnr)) do
    if lens.command then
      table.insert(out, { line = lens.range.start.line, title = lens.command.title, command = lens.command.command })
    end
  end
  table.sort(out, function(a, b)
    return a.line < b.line
  end)
  return out
end

--- Waits for the result buffer iamlens://<name> to be (re)filled after
--- `action()` runs; returns its text, filetype and buftype.
function H.result(name, action)
  local bufname = "iamlens://" .. name
  local before = vim.fn.bufnr(bufname) ~= -1 and vim.b[vim.fn.bufnr(bufname)].changedtick or -1
  action()
  H.wait(function()
    local b = vim.fn.bufnr(bufname)
    return b ~= -1 and vim.b[b].changedtick ~= before
  end)
  local b = vim.fn.bufnr(bufname)
  if b == -1 then
    return nil
  end
  return {
    text = table.concat(vim.api.nvim_buf_get_lines(b, 0, -1, false), "\n"),
    filetype = vim.bo[b].filetype,
    buftype = vim.bo[b].buftype,
    shown = vim.fn.bufwinid(b) ~= -1,
  }
end

function H.finish(outcome)
  outcome.notifications = H.notifications
  outcome.confirms = H.confirms
  outcome.inputs = H.inputs
  outcome.commands = H.commands
  local ok, encoded = pcall(vim.json.encode, outcome)
  if not ok then
    encoded = vim.json.encode({ ok = false, error = "result not encodable: " .. tostring(encoded) })
  end
  local f = assert(io.open(vim.env.IAMLENS_NVIM_OUT, "w"))
  f:write(encoded)
  f:close()
  vim.cmd("qall!")
end

function H.run(scenario_file)
  local chunk, load_err = loadfile(scenario_file)
  if not chunk then
    H.finish({ ok = false, error = load_err })
    return
  end
  local ok, value = xpcall(function()
    return chunk(H)
  end, debug.traceback)
  if ok then
    H.finish({ ok = true, value = value == nil and vim.NIL or value })
  else
    H.finish({ ok = false, error = value })
  end
end

return H
