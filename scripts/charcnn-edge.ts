/**
 * Can the char-CNN learn a symbol that is alone in its text? The `mnemonic:only` control of the
 * table2-charcnn preset gives it one-character texts (a blank one-space text whose first character
 * is the class's symbol), which Zhang's backward quantisation puts at position 0, the window's
 * edge. This trains the small char-CNN with the preset's settings (10 epochs, seed 0), and with a
 * ten times larger learning rate, on 500 one-character texts of five symbols, and prints the
 * training accuracy and the class probabilities of each symbol: if the rows hardly differ, the
 * symbol barely reaches the output.
 *
 *   npx tsx scripts/charcnn-edge.ts    # ~3 min a setting on one core
 */
import { CharCNN } from '../src/models/index.js';

const symbols = '01234';
const texts = Array.from({ length: 500 }, (_, i) => symbols[i % 5] as string);
const labels = Int32Array.from({ length: 500 }, (_, i) => i % 5);
for (const options of [{ epochs: 10 }, { epochs: 10, learningRate: 0.1 }]) {
  const net = new CharCNN({ size: 'small', seed: 0, ...options });
  const t = performance.now();
  await net.fit(texts, labels);
  const p = await net.predictProba([...symbols]);
  const predicted = await net.predict(texts);
  const accuracy = predicted.filter((v, i) => v === labels[i]).length / labels.length;
  console.log(`${JSON.stringify(options)}: training accuracy ${String(accuracy)}, ${((performance.now() - t) / 1000).toFixed(0)} s`);
  for (let r = 0; r < 5; r++)
    console.log(`  '${symbols[r] as string}':`, Array.from(p.data.slice(r * 5, r * 5 + 5), (v) => v.toFixed(6)).join(' '));
  net.dispose();
}
