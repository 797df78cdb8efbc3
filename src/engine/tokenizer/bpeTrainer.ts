// A byte-level BPE trainer (Sennrich et al. 2016, "Neural Machine Translation of Rare Words with
// Subword Units"; byte-level as in GPT-2, Radford et al. 2019), producing the same kind of tokenizer.json
// as Hugging Face tokenizers' ByteLevelBPETokenizer. Ids 0..255 are the bytes, 256 is <|endoftext|>,
// then one id per learned merge.
//
// Training: the texts are split with GPT-2's pre-tokenization regex and the pieces ("words") counted.
// Each word is a list of symbol ids, starting as its UTF-8 bytes. Repeatedly, the adjacent symbol pair
// with the highest count (summed over words, weighted by word frequency) becomes a new symbol and every
// occurrence is replaced. To stay fast on a few MB of text, pair counts are updated incrementally: each
// pair remembers the words it occurs in, only those words are re-scanned after a merge, and the best
// pair is found with a max-heap whose stale entries are skipped when popped (lazy deletion).
import { bytesToUnicode, byteLevelTokenizerConfig, byteLevelTokenizerJson, GPT2_SPLIT } from './byteLevel';
import { BYTE_EOS_TOKEN } from './bytesJson';
import { HfTokenizer } from './hf';

const KEY = 1 << 21; // pair key = a * KEY + b; symbol ids stay below 2^21
const key = (a: number, b: number): number => a * KEY + b;

/** A max-heap of [count, pair key]; ties go to the smaller pair key (smaller ids first), as HF does. */
class PairHeap {
  private readonly counts: number[] = [];
  private readonly keys: number[] = [];
  get size(): number {
    return this.counts.length;
  }
  private above(i: number, j: number): boolean {
    const ci = this.counts[i] as number;
    const cj = this.counts[j] as number;
    return ci > cj || (ci === cj && (this.keys[i] as number) < (this.keys[j] as number));
  }
  private swap(i: number, j: number): void {
    [this.counts[i], this.counts[j]] = [this.counts[j] as number, this.counts[i] as number];
    [this.keys[i], this.keys[j]] = [this.keys[j] as number, this.keys[i] as number];
  }
  push(count: number, k: number): void {
    this.counts.push(count);
    this.keys.push(k);
    for (let i = this.counts.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.above(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }
  pop(): [number, number] | undefined {
    if (this.counts.length === 0) return undefined;
    const top: [number, number] = [this.counts[0] as number, this.keys[0] as number];
    const lastC = this.counts.pop() as number;
    const lastK = this.keys.pop() as number;
    if (this.counts.length > 0) {
      this.counts[0] = lastC;
      this.keys[0] = lastK;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < this.counts.length && this.above(l, best)) best = l;
        if (r < this.counts.length && this.above(r, best)) best = r;
        if (best === i) break;
        this.swap(i, best);
        i = best;
      }
    }
    return top;
  }
}

export interface BpeModel {
  /** Token strings by id (byte-level characters; <|endoftext|> at 256). */
  vocab: string[];
  /** Merges in the order learned: [left, right] token strings. */
  merges: [string, string][];
}

/**
 * Learns merges until the vocabulary has `vocabSize` tokens (bytes + <|endoftext|> + merges) or no pair
 * occurs at least `minFrequency` times.
 */
export function trainBpe(texts: Iterable<string>, vocabSize: number, minFrequency = 2): BpeModel {
  if (!Number.isInteger(vocabSize) || vocabSize < 257) throw new Error(`tokenizer.train: vocabulary size must be an integer ≥ 257 (256 bytes + <|endoftext|>), got ${vocabSize}`);
  // 1. Count pre-tokenized words.
  const wordCounts = new Map<string, number>();
  for (const text of texts) {
    for (const m of text.matchAll(GPT2_SPLIT)) wordCounts.set(m[0], (wordCounts.get(m[0]) ?? 0) + 1);
  }
  const enc = new TextEncoder();
  const words: number[][] = [];
  const freq: number[] = [];
  for (const [w, c] of wordCounts) {
    words.push(Array.from(enc.encode(w)));
    freq.push(c);
  }
  // 2. Initial pair counts and the words each pair occurs in.
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addPairs = (wi: number, sign: 1 | -1, touched?: Set<number>): void => {
    const s = words[wi] as number[];
    const f = (freq[wi] as number) * sign;
    for (let i = 0; i + 1 < s.length; i++) {
      const k = key(s[i] as number, s[i + 1] as number);
      pairCount.set(k, (pairCount.get(k) ?? 0) + f);
      touched?.add(k);
      if (sign > 0) {
        let set = pairWords.get(k);
        if (!set) pairWords.set(k, (set = new Set()));
        set.add(wi);
      }
    }
  };
  for (let wi = 0; wi < words.length; wi++) addPairs(wi, 1);
  const heap = new PairHeap();
  for (const [k, c] of pairCount) heap.push(c, k);

  const byteChars = bytesToUnicode();
  const vocab = [...byteChars, BYTE_EOS_TOKEN];
  const idOf = new Map<string, number>(vocab.map((t, i) => [t, i]));
  const merges: [string, string][] = [];
  // 3. Merge the most frequent pair until the vocabulary is full.
  while (vocab.length < vocabSize) {
    const top = heap.pop();
    if (!top) break;
    const [count, k] = top;
    if (pairCount.get(k) !== count) continue; // stale entry: the pair's count changed since it was pushed
    if (count < minFrequency) break;
    const a = Math.floor(k / KEY);
    const b = k % KEY;
    const text = (vocab[a] as string) + (vocab[b] as string);
    let id = idOf.get(text); // another merge path may already have built this string: reuse its id (as HF)
    if (id === undefined) {
      id = vocab.length;
      vocab.push(text);
      idOf.set(text, id);
    }
    merges.push([vocab[a] as string, vocab[b] as string]);
    const touched = new Set<number>();
    for (const wi of pairWords.get(k) ?? []) {
      const s = words[wi] as number[];
      let has = false;
      for (let i = 0; i + 1 < s.length; i++) if (s[i] === a && s[i + 1] === b) { has = true; break; }
      if (!has) continue;
      addPairs(wi, -1, touched); // remove the word's old pairs, merge left to right, add its new pairs
      const out: number[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === a && s[i + 1] === b) {
          out.push(id);
          i++;
        } else out.push(s[i] as number);
      }
      words[wi] = out;
      addPairs(wi, 1, touched);
    }
    pairWords.delete(k);
    pairCount.delete(k);
    for (const t of touched) {
      const c = pairCount.get(t);
      if (c !== undefined && c > 0) heap.push(c, t);
      else if (c !== undefined) pairCount.delete(t);
    }
  }
  return { vocab, merges };
}

/** Trains a byte-level BPE tokenizer on texts and returns it as a tokenizer.json-backed tokenizer. */
export function trainByteLevelTokenizer(texts: Iterable<string>, vocabSize: number, contextLength?: number): HfTokenizer {
  const { vocab, merges } = trainBpe(texts, vocabSize);
  const json = byteLevelTokenizerJson({ vocab, merges, specialIds: [256] });
  return new HfTokenizer(json, byteLevelTokenizerConfig(BYTE_EOS_TOKEN, 256, contextLength), {}, `trained tokenizer (vocabulary ${vocab.length})`);
}
