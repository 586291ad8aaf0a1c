// What a generated policy envelope (`{"Policies": [{"Policy": {...}}], ...}`)
// grants, counted for the status bar.

export interface PolicySummary {
  actions: string[];
  services: string[];
}

export function summarizeEnvelope(envelope: unknown): PolicySummary {
  const actions = new Set<string>();
  for (const statement of statements(envelope)) {
    const action = statement["Action"];
    const list = Array.isArray(action) ? action : [action];
    for (const a of list) if (typeof a === "string" && a !== "") actions.add(a);
  }
  const sorted = [...actions].sort();
  const services = [...new Set(sorted.map((a) => a.split(":")[0]))].sort();
  return { actions: sorted, services };
}

export function statusText(summary: PolicySummary): string {
  const n = summary.actions.length;
  if (n === 0) return "$(shield) IAM: no actions";
  return `$(shield) IAM: ${n} ${n === 1 ? "action" : "actions"}`;
}

export function statusTooltip(summary: PolicySummary): string {
  const n = summary.actions.length;
  if (n === 0) return "iamlens: this file makes no AWS calls that need IAM permissions";
  const services = summary.services.length;
  return (
    `iamlens: this file needs ${n} IAM ${n === 1 ? "action" : "actions"} across ` +
    `${services} ${services === 1 ? "service" : "services"} — click to open the policy`
  );
}

function statements(envelope: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const policies = isObject(envelope) ? envelope["Policies"] : undefined;
  if (!Array.isArray(policies)) return out;
  for (const entry of policies) {
    const policy = isObject(entry) ? entry["Policy"] : undefined;
    const list = isObject(policy) ? policy["Statement"] : undefined;
    const items = Array.isArray(list) ? list : [list];
    for (const s of items) if (isObject(s) && s["Effect"] !== "Deny") out.push(s);
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
