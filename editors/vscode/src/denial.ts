// Recognising a pasted AWS authorization failure, to prefill the
// "IAM: Fix AccessDenied…" input box from the clipboard.

const DENIAL_PATTERNS: RegExp[] = [
  /\bis not authorized to perform\b/i,
  /\bAccessDenied(Exception)?\b/,
  /\bUnauthorizedOperation\b/,
  /\bAuthorizationError\b/,
  /\bAccess Denied\b/i,
  /Encoded authorization failure message/i,
  /when calling the \w+ operation: Forbidden/,
];

/** Clipboards can hold whole log files; nobody pastes a denial that long. */
const MAX_DENIAL_LENGTH = 20_000;

export function looksLikeAccessDenied(text: string | undefined | null): boolean {
  if (!text) return false;
  const trimmed = text.trim();
  if (trimmed === "" || trimmed.length > MAX_DENIAL_LENGTH) return false;
  return DENIAL_PATTERNS.some((pattern) => pattern.test(trimmed));
}
