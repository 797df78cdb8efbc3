// Message-list formats, rendered to text with a chat template:
// - conversational (TRL's preference format): {prompt, chosen, rejected} as lists of {role, content};
//   TRL's implicit variant without `prompt` (chosen and rejected are whole conversations) takes the
//   prompt as their longest common list of messages, as trl.data_utils.extract_prompt does.
// - sharegpt (LLaMA-Factory's ranking format): {conversations: [{from, value}], chosen: {from, value},
//   rejected: {from, value}, system?}; from human/gpt/system (also user/assistant) map to roles.
// Rendering follows trl.data_utils.maybe_apply_chat_template: the prompt is rendered with the
// generation prompt; prompt+chosen and prompt+rejected are rendered whole; the shared prompt text is
// the common prefix of the three renderings and each response is the rest of its rendering.
// The template is the tokenizer's chat template when it has one (tokenizer/chatTemplate.ts), else
// renderChat's default (ChatML), which the loader then names in a warning (dataset.ts).
import { renderChat, type ChatMessage, type RenderChatOptions } from '../tokenizer/chat';
import type { PreferencePair } from './pair';
import { roleProblem } from '../../common/roles';
import { describeType } from './errors';
import { commonPrefixLength } from './implicit';
import {
  fail, isObject, requireArray, requireDifferent, requireObject, requireResponse, requireString, type RowContext,
} from './validate';

export type { ChatMessage } from '../tokenizer/chat';

/** The tokenizer's chat settings (tokenizer_config.json); all optional. */
export interface ChatOptions {
  template?: string;
  /** The tokenizer's template cannot be used (tokenizer/chatTemplate.ts): rendering fails with this, naming its file. */
  templateError?: string;
  bosToken?: string;
  eosToken?: string;
}

function messageList(ctx: RowContext, row: Record<string, unknown>, key: string, allowEmpty: boolean): ChatMessage[] {
  const list = requireArray(ctx, row, key, 'a list of {role, content} messages');
  if (!allowEmpty && list.length === 0) throw fail(ctx, key, 'expected a non-empty list of {role, content} messages, got an empty list');
  return list.map((m, i) => {
    const path = `${key}[${i}]`;
    const msg = requireObject(ctx, m, path, 'a {role, content} message');
    const role = requireString(ctx, msg, 'role', `${path}.role`);
    const bad = roleProblem(role);
    if (bad) throw fail(ctx, `${path}.role`, bad);
    return { role, content: requireString(ctx, msg, 'content', `${path}.content`) };
  });
}

function sameMessage(a: ChatMessage | undefined, b: ChatMessage | undefined): boolean {
  return a !== undefined && b !== undefined && a.role === b.role && a.content === b.content;
}

function responseText(msgs: readonly ChatMessage[]): string {
  return msgs.map((m) => m.content).join('');
}

/** Renders prompt / prompt+chosen / prompt+rejected and splits off the shared prompt text. */
export function renderPair(prompt: ChatMessage[], chosen: ChatMessage[], rejected: ChatMessage[], chat: ChatOptions, ctx: RowContext): PreferencePair {
  // Not a bad row: every conversation would fail the same way (and data.skip_invalid must not hide it).
  if (chat.templateError !== undefined) throw new Error(chat.templateError);
  const base: Omit<RenderChatOptions, 'addGenerationPrompt'> = {
    ...(chat.template === undefined ? {} : { template: chat.template }),
    ...(chat.bosToken === undefined ? {} : { bosToken: chat.bosToken }),
    ...(chat.eosToken === undefined ? {} : { eosToken: chat.eosToken }),
  };
  const render = (msgs: ChatMessage[], addGenerationPrompt: boolean): string => {
    try {
      return renderChat(msgs, { ...base, addGenerationPrompt });
    } catch (e) {
      throw fail(ctx, '', `expected a conversation the chat template accepts: ${(e as Error).message}`);
    }
  };
  const last = prompt[prompt.length - 1];
  const promptText = render(prompt, last === undefined || last.role !== 'assistant');
  const fullChosen = render([...prompt, ...chosen], false);
  const fullRejected = render([...prompt, ...rejected], false);
  const n = Math.min(commonPrefixLength(promptText, fullChosen), commonPrefixLength(promptText, fullRejected));
  return { prompt: promptText.slice(0, n), chosen: fullChosen.slice(n), rejected: fullRejected.slice(n) };
}

function checkResponses(ctx: RowContext, chosen: ChatMessage[], rejected: ChatMessage[], chosenPath: string, rejectedPath: string): void {
  requireResponse(ctx, responseText(chosen), chosenPath);
  requireResponse(ctx, responseText(rejected), rejectedPath);
  requireDifferent(ctx, chosen.length === rejected.length && chosen.every((m, i) => sameMessage(m, rejected[i])));
}

export function normalizeConversational(value: unknown, ctx: RowContext, chat: ChatOptions): PreferencePair {
  const row = requireObject(ctx, value, '', 'a JSON object {prompt, chosen, rejected} of message lists');
  let chosen = messageList(ctx, row, 'chosen', false);
  let rejected = messageList(ctx, row, 'rejected', false);
  let prompt: ChatMessage[];
  if (row.prompt === undefined) {
    // Implicit prompt, as trl.data_utils.extract_prompt: the messages before the first that differs;
    // when the shorter list is a prefix of the other, all of it but its last message.
    const n = Math.min(chosen.length, rejected.length);
    let k = 0;
    while (k < n && sameMessage(chosen[k], rejected[k])) k++;
    if (k === n) k = n - 1;
    prompt = chosen.slice(0, k);
    chosen = chosen.slice(k);
    rejected = rejected.slice(k);
    if (chosen.length === 0 && rejected.length === 0) requireDifferent(ctx, true);
  } else {
    prompt = messageList(ctx, row, 'prompt', true);
  }
  checkResponses(ctx, chosen, rejected, 'chosen', 'rejected');
  return renderPair(prompt, chosen, rejected, chat, ctx);
}

const SHAREGPT_ROLES: Readonly<Record<string, string>> = {
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  assistant: 'assistant',
  system: 'system',
};

function sharegptMessage(ctx: RowContext, v: unknown, path: string): ChatMessage {
  const msg = requireObject(ctx, v, path, 'a {from, value} message');
  const from = requireString(ctx, msg, 'from', `${path}.from`);
  const role = SHAREGPT_ROLES[from];
  if (role === undefined) throw fail(ctx, `${path}.from`, `expected one of human, gpt, system (or user, assistant), got ${JSON.stringify(from)}`);
  return { role, content: requireString(ctx, msg, 'value', `${path}.value`) };
}

export function normalizeSharegpt(value: unknown, ctx: RowContext, chat: ChatOptions): PreferencePair {
  const row = requireObject(ctx, value, '', 'a JSON object {conversations, chosen, rejected}');
  const turns = requireArray(ctx, row, 'conversations', 'a list of {from, value} messages');
  if (turns.length === 0) throw fail(ctx, 'conversations', 'expected a non-empty list of {from, value} messages, got an empty list');
  const prompt = turns.map((t, i) => sharegptMessage(ctx, t, `conversations[${i}]`));
  if (row.system !== undefined) {
    if (typeof row.system !== 'string') throw fail(ctx, 'system', `expected a string, got ${describeType(row.system)}`);
    if (row.system !== '') prompt.unshift({ role: 'system', content: row.system });
  }
  const responses = (['chosen', 'rejected'] as const).map((key) => {
    if (!isObject(row[key])) throw fail(ctx, key, `expected a {from, value} message, got ${describeType(row[key])}`);
    const m = sharegptMessage(ctx, row[key], key);
    if (m.role !== 'assistant') throw fail(ctx, `${key}.from`, `expected "gpt" (the assistant's reply), got a ${m.role} message`);
    return m;
  });
  const chosen = [responses[0] as ChatMessage];
  const rejected = [responses[1] as ChatMessage];
  checkResponses(ctx, chosen, rejected, 'chosen.value', 'rejected.value');
  return renderPair(prompt, chosen, rejected, chat, ctx);
}
