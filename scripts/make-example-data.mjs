// Cuts the data slices that ship with ORPO Lab, reproducibly, from the shared copies of the datasets
// (default ../shared/data next to the repository; override with ORPO_LAB_SHARED_DATA=DIR):
//   examples/data/hh-rlhf-tiny.jsonl.gz   256 short pairs of Anthropic HH-RLHF harmless-base (MIT)
//   examples/data/dpo-en-sharegpt.json    40 short pairs of LLaMA-Factory's dpo_en_demo (Apache-2.0)
//   examples/data/LICENSE-*               the licences, copied verbatim
//   test/fixtures/data/*                  small fixtures for src/engine/data tests, built from real rows
// Selection is by file order and fixed length limits only (no randomness), so rerunning the script
// gives byte-identical files. Usage: node scripts/make-example-data.mjs
import { gunzipSync, gzipSync } from 'node:zlib';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const shared = process.env.ORPO_LAB_SHARED_DATA ?? join(root, '..', 'shared', 'data');
const examples = join(root, 'examples', 'data');
const fixtures = join(root, 'test', 'fixtures', 'data');
mkdirSync(examples, { recursive: true });
mkdirSync(fixtures, { recursive: true });

const gz = (text) => gzipSync(Buffer.from(text, 'utf8'), { level: 9 }); // Node writes mtime 0: deterministic
// Copies the text, not the file mode: the shared originals are read-only.
const copyText = (from, to) => writeFileSync(to, readFileSync(from));
const jsonl = (rows) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

// --- HH-RLHF (implicit prompt) -------------------------------------------------------------------
const MARKER = '\n\nAssistant:';
const hh = gunzipSync(readFileSync(join(shared, 'hh-rlhf-harmless', 'pairs.jsonl.gz')))
  .toString('utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));

/** TRL's extract_anthropic_prompt: the text up to and including the last "\n\nAssistant:". */
function splitHH(row) {
  const k = row.chosen.lastIndexOf(MARKER) + MARKER.length;
  const prompt = row.chosen.slice(0, k);
  if (k < MARKER.length || !row.rejected.startsWith(prompt)) return undefined; // diverges before the last turn
  return { prompt, chosen: row.chosen.slice(k), rejected: row.rejected.slice(k) };
}
const short = [];
for (const row of hh) {
  const p = splitHH(row);
  if (!p || p.chosen.trim() === '' || p.rejected.trim() === '' || p.chosen === p.rejected) continue;
  if (p.prompt.length + p.chosen.length + p.rejected.length < 400) short.push({ row, split: p });
}
const tiny = short.slice(0, 256);
if (tiny.length !== 256) throw new Error(`expected 256 short HH-RLHF pairs, found ${tiny.length}`);
writeFileSync(join(examples, 'hh-rlhf-tiny.jsonl.gz'), gz(jsonl(tiny.map((x) => ({ chosen: x.row.chosen, rejected: x.row.rejected })))));
copyText(join(shared, 'hh-rlhf-harmless', 'LICENSE'), join(examples, 'LICENSE-hh-rlhf'));

// --- LLaMA-Factory dpo_en_demo (sharegpt) -----------------------------------------------------------
const lf = JSON.parse(readFileSync(join(shared, 'llamafactory-dpo-en', 'pairs.json'), 'utf8'));
const lfShort = lf.filter((r) => JSON.stringify(r).length < 2000);
const dpoEn = lfShort.slice(0, 40);
if (dpoEn.length !== 40) throw new Error(`expected 40 short dpo_en pairs, found ${dpoEn.length}`);
writeFileSync(join(examples, 'dpo-en-sharegpt.json'), JSON.stringify(dpoEn, null, 2) + '\n');
copyText(join(shared, 'llamafactory-dpo-en', 'LICENSE'), join(examples, 'LICENSE-llamafactory-dpo-en'));

// --- test fixtures ---------------------------------------------------------------------------------
// Six real HH-RLHF rows: single- and multi-turn, some whose responses share their first characters
// (so the raw common prefix ends mid-word).
const pick = [];
const sharedStart = (a, b) => { let i = 0; while (i < a.length && a[i] === b[i]) i++; return i; };
for (const x of short) {
  const turns = x.row.chosen.split('\n\nHuman:').length - 1;
  const s = sharedStart(x.split.chosen, x.split.rejected);
  const want = [s >= 3 && turns === 1, s >= 3 && turns >= 2, s === 1 && turns === 1, s === 1 && turns >= 2];
  const slot = want.findIndex((w, i) => w && pick.filter((p) => p.slot === i).length < (i < 2 ? 2 : 1));
  if (slot >= 0) pick.push({ slot, ...x });
  if (pick.length === 6) break;
}
const hhRows = pick.map((x) => ({ chosen: x.row.chosen, rejected: x.row.rejected }));
writeFileSync(join(fixtures, 'hh-implicit.jsonl'), jsonl(hhRows));
writeFileSync(join(fixtures, 'hh-implicit.jsonl.gz'), gz(jsonl(hhRows)));

// explicit: the same rows split by TRL's rule, as a pretty-printed .json array (and gzipped).
const explicit = pick.map((x) => x.split);
writeFileSync(join(fixtures, 'explicit.json'), JSON.stringify(explicit, null, 2) + '\n');
writeFileSync(join(fixtures, 'explicit.json.gz'), gz(JSON.stringify(explicit, null, 2) + '\n'));

// conversational (TRL): the prompt text parsed into {role, content} turns.
function turnsOf(prompt) {
  const parts = prompt.split(/\n\n(Human|Assistant):/).slice(1);
  const msgs = [];
  for (let i = 0; i < parts.length; i += 2) {
    const role = parts[i] === 'Human' ? 'user' : 'assistant';
    const content = parts[i + 1].trim();
    if (content !== '') msgs.push({ role, content });
  }
  return msgs;
}
const conv = pick.map((x) => ({
  prompt: turnsOf(x.split.prompt),
  chosen: [{ role: 'assistant', content: x.split.chosen.trim() }],
  rejected: [{ role: 'assistant', content: x.split.rejected.trim() }],
}));
writeFileSync(join(fixtures, 'conversational.jsonl'), jsonl(conv));
// TRL's implicit-prompt conversational variant: whole conversations only.
writeFileSync(join(fixtures, 'conversational-implicit.jsonl'), jsonl(conv.map((c) => ({ chosen: [...c.prompt, ...c.chosen], rejected: [...c.prompt, ...c.rejected] }))));

// sharegpt: four short real rows, two with a system message.
const withSystem = lfShort.filter((r) => r.conversations[0].from === 'system').slice(0, 2);
const without = lfShort.filter((r) => r.conversations[0].from !== 'system').slice(0, 2);
writeFileSync(join(fixtures, 'sharegpt.json'), JSON.stringify([...without, ...withSystem], null, 1) + '\n');

// bad rows: one of each kind, between real rows (line numbers are asserted by the tests).
const [a, b] = hhRows;
// The shortest real HH-RLHF row whose chosen response is empty (the shared copy has four).
const emptyResponse = hh
  .filter((r) => { const p = splitHH(r); return p && p.chosen.trim() === ''; })
  .reduce((x, y) => (JSON.stringify(y).length < JSON.stringify(x).length ? y : x));
const badLines = [
  JSON.stringify(a), //                                                        1 valid
  '{"chosen": "\\n\\nHuman: hi\\n\\nAssistant: hello", "rejected": ', //     2 invalid JSON
  JSON.stringify({ chosen: a.chosen }), //                                      3 missing rejected
  JSON.stringify({ chosen: a.chosen, rejected: 42 }), //                        4 wrong type
  JSON.stringify(emptyResponse), //                                             5 empty response (a real row)
  JSON.stringify({ chosen: b.chosen, rejected: b.chosen }), //                  6 identical
  '', //                                                                        7 blank (ignored)
  JSON.stringify(b), //                                                         8 valid
];
writeFileSync(join(fixtures, 'bad-rows.jsonl'), badLines.join('\n') + '\n');
console.log(`wrote ${tiny.length} HH-RLHF pairs, ${dpoEn.length} dpo_en pairs, ${pick.length} fixture rows`);
