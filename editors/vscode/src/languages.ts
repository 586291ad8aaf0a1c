// The languages iamlens reads, as VS Code language ids. This is the one list:
// the document selector, the status bar, the commands that work on the active
// file and (through a context key) the menus' `when` clauses all use it;
// package.json's activationEvents are checked against it by the unit tests
// and scripts/verify-vsix.js.
export const SUPPORTED_LANGUAGES = [
  "python",
  "javascript",
  "typescript",
  "javascriptreact",
  "typescriptreact",
  "go",
  "java",
] as const;

export type SupportedLanguage = (typeof SUPPORTED_LANGUAGES)[number];

/**
 * Context key holding SUPPORTED_LANGUAGES, set on activation; the menus show
 * the file commands `when` `editorLangId in iamlens.supportedLanguages`.
 */
export const LANGUAGES_CONTEXT_KEY = "iamlens.supportedLanguages";

/** How the warnings name the languages ("open a … file first"). */
export const LANGUAGE_NAMES = "Python, JavaScript, TypeScript, Go or Java";

export function isSupportedLanguage(languageId: string | undefined): languageId is SupportedLanguage {
  return (SUPPORTED_LANGUAGES as readonly string[]).includes(languageId ?? "");
}

/** The language client's document selector: saved and untitled files of each language. */
export function documentSelector(): { scheme: string; language: SupportedLanguage }[] {
  return SUPPORTED_LANGUAGES.flatMap((language) => [
    { scheme: "file", language },
    { scheme: "untitled", language },
  ]);
}
