// One preference pair as text, after its format is read (formats.ts, implicit.ts, messages.ts) and
// before tokenizing (tokenize.ts). A leaf module, so the format readers need not import each other's users.

/** One preference pair as text: the prompt and the two responses that continue it. */
export interface PreferencePair {
  prompt: string;
  chosen: string;
  rejected: string;
}
