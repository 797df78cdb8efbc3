// Chat template rendering: the default ChatML template, and real-world template constructs
// (bos_token, loop.first, raise_exception, generation prompt), against strings written out by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderChat } from './chat';

const conversation = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Hi there' },
  { role: 'assistant', content: 'Hello!' },
];

void test('the default template is ChatML', () => {
  assert.equal(
    renderChat(conversation, { addGenerationPrompt: false }),
    '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi there<|im_end|>\n<|im_start|>assistant\nHello!<|im_end|>\n',
  );
  assert.equal(renderChat([{ role: 'user', content: 'Q?' }], { addGenerationPrompt: true }), '<|im_start|>user\nQ?<|im_end|>\n<|im_start|>assistant\n');
});

// A Zephyr/TinyLlama-style template, as such tokenizer_config.json files carry it.
const zephyr =
  "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n" +
  "{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n" +
  "{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n" +
  "{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}";

void test('a template from a tokenizer_config.json gets eos_token and add_generation_prompt', () => {
  const text = renderChat(conversation.slice(0, 2), { template: zephyr, addGenerationPrompt: true, eosToken: '</s>', bosToken: '<s>' });
  assert.equal(text, '<|system|>\nBe brief.</s>\n<|user|>\nHi there</s>\n<|assistant|>\n');
});

void test('bos_token, loop.first and raise_exception work as in transformers', () => {
  const llama2 =
    "{% if messages[0]['role'] == 'system' %}{{ raise_exception('no system role') }}{% endif %}" +
    "{% for m in messages %}{% if loop.first %}{{ bos_token }}{% endif %}{% if m['role'] == 'user' %}{{ '[INST] ' + m['content'] | trim + ' [/INST]' }}{% else %}{{ ' ' + m['content'] | trim + ' ' + eos_token }}{% endif %}{% endfor %}";
  assert.equal(renderChat(conversation.slice(1), { template: llama2, addGenerationPrompt: false, bosToken: '<s>', eosToken: '</s>' }), '<s>[INST] Hi there [/INST] Hello! </s>');
  assert.throws(() => renderChat(conversation, { template: llama2, addGenerationPrompt: false }), /no system role/);
  assert.throws(() => renderChat(conversation, { template: '{% for %}', addGenerationPrompt: false }), /chat template does not parse/);
});
