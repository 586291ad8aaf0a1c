-- Recognising a pasted AWS authorization failure (to prefill the prompt).
local M = {}

local patterns = {
  "is not authorized to perform",
  "AccessDenied",
  "UnauthorizedOperation",
  "AuthorizationError",
  "[Aa]ccess [Dd]enied",
  "Encoded authorization failure message",
  "when calling the %w+ operation: Forbidden",
}

function M.looks_like_denial(text)
  if type(text) ~= "string" then
    return false
  end
  local trimmed = vim.trim(text)
  if trimmed == "" or #trimmed > 20000 then
    return false
  end
  for _, p in ipairs(patterns) do
    if trimmed:find(p) then
      return true
    end
  end
  return false
end

--- The remedy kind of the only denial iamlens may fix itself.
M.APPLICABLE_REMEDY = "add-identity-policy-statement"

--- A fix-access-denied plan that iamlens can apply itself (implicit
--- identity-based denials only: the remedy adds an identity-policy statement).
function M.applicable(plan)
  if type(plan) ~= "table" or type(plan.Remedy) ~= "table" then
    return false
  end
  return plan.Remedy.Kind == M.APPLICABLE_REMEDY and plan.ProposedPolicy ~= nil and plan.ProposedPolicy ~= vim.NIL
end

return M
