// Chat templates: renders a conversation to text with a tokenizer's Jinja chat template through
// @huggingface/jinja, with the variables transformers' apply_chat_template passes (messages,
// add_generation_prompt, bos_token, eos_token). Tokenizers without a template use DEFAULT_CHAT_TEMPLATE,
// ChatML (as Qwen2 and SmolLM2 use it): each message is "<|im_start|>{role}\n{content}<|im_end|>\n",
// and the generation prompt is "<|im_start|>assistant\n".
import { Template } from '@huggingface/jinja';

export interface ChatMessage {
  role: string;
  content: string;
}

export interface RenderChatOptions {
  /** A Jinja chat template (tokenizer_config.json's chat_template); DEFAULT_CHAT_TEMPLATE when absent. */
  template?: string;
  /** Append the start of an assistant turn (for prompts the model is to continue). */
  addGenerationPrompt: boolean;
  bosToken?: string;
  eosToken?: string;
}

/** ChatML, the default when the tokenizer has no template of its own. */
export const DEFAULT_CHAT_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

const compiled = new Map<string, Template>();

function compile(source: string): Template {
  let t = compiled.get(source);
  if (!t) {
    try {
      t = new Template(source);
    } catch (e) {
      throw new Error(`chat template does not parse: ${(e as Error).message}`);
    }
    if (compiled.size > 16) compiled.clear();
    compiled.set(source, t);
  }
  return t;
}

/** The conversation as text, as transformers' apply_chat_template(tokenize=False) renders it. */
export function renderChat(messages: ChatMessage[], opts: RenderChatOptions): string {
  const template = compile(opts.template ?? DEFAULT_CHAT_TEMPLATE);
  try {
    return template.render({
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      add_generation_prompt: opts.addGenerationPrompt,
      bos_token: opts.bosToken ?? '',
      eos_token: opts.eosToken ?? '',
    });
  } catch (e) {
    throw new Error(`chat template failed to render: ${(e as Error).message}`);
  }
}
