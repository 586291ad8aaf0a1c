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

--- A fix-access-denied plan that iamlens can apply itself (implicit
--- identity-based denials only).
function M.applicable(plan)
  if type(plan) ~= "table" then
    return false
  end
  if type(plan.CanApply) == "boolean" then
    return plan.CanApply
  end
  local policy_type = tostring(plan.PolicyType or "")
  local denial = tostring(plan.Denial or "")
  return plan.ProposedPolicy ~= nil
    and plan.ProposedPolicy ~= vim.NIL
    and policy_type:lower():find("identity") ~= nil
    and denial:lower():find("explicit") == nil
end

return M
