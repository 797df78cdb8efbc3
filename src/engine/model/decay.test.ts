// Weight decay as transformers' Trainer applies it (Trainer.get_decay_parameter_names): every parameter
// decays except those inside an nn.LayerNorm module and those whose lower-cased name matches one of
// bias, layernorm, rmsnorm, (^|.)norm(.|$), _norm(.|$). Position embeddings (GPT-2's wpe) decay.
// The expected set is computed here from the names transformers wrote into the fixtures, with GPT-2's
// nn.LayerNorm modules (ln_1, ln_2, ln_f) named from its modeling code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { useCpu } from '../testing/tf';
import { loadModelDir } from '../hf/load';
import { readSafetensors } from '../hf/safetensors';

const PATTERNS = [/bias/, /layernorm/, /rmsnorm/, /(?:^|\.)norm(?:$|\.)/, /_norm(?:$|\.)/];
const LAYERNORM_MODULE = /(?:^|\.)(ln_1|ln_2|ln_f)\./; // GPT-2's nn.LayerNorm modules
const transformersDecays = (name: string) => !LAYERNORM_MODULE.test(name) && !PATTERNS.some((p) => p.test(name.toLowerCase()));

for (const fixture of ['tiny-gpt2', 'tiny-llama']) {
  void test(`${fixture}: the parameters exempt from decay are transformers' set`, async () => {
    await useCpu();
    const dir = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'hf', fixture);
    const { model } = await loadModelDir(dir);
    try {
      let decayed = 0;
      for await (const [name] of readSafetensors(join(dir, 'model.safetensors'))) {
        assert.equal(!model.noDecay(name), transformersDecays(name), name);
        if (transformersDecays(name)) decayed++;
      }
      assert.ok(decayed > 0);
      if (fixture === 'tiny-gpt2') assert.equal(model.noDecay('transformer.wpe.weight'), false, 'wpe decays, as in transformers');
    } finally {
      model.dispose();
    }
  });
}
