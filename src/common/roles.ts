// The message roles a conversational preference row may use: those of the OpenAI-style messages that
// chat templates render and TRL's conversational datasets hold (system, user, assistant, tool). Shared by
// the engine's loader (src/engine/data/messages.ts) and the pre-flight sniffer (src/server/service/sniff.ts).

export const CHAT_ROLES = ['system', 'user', 'assistant', 'tool'] as const;

/** Why a role is refused, or undefined when it is one of CHAT_ROLES. */
export function roleProblem(role: string): string | undefined {
  return (CHAT_ROLES as readonly string[]).includes(role) ? undefined : `expected a role of ${CHAT_ROLES.join(', ')}, got ${JSON.stringify(role)}`;
}
