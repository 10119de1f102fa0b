import { createDetector } from '../../../../core/scanning/detect';
import { resetSampleSeed } from '../../../../core/scanning/rules/sample-kit';
import { buildCorpus } from './labeled-corpus';

describe('the labeled corpus', () => {
  it('is found with recall and precision of at least 0.95', () => {
    resetSampleSeed(2026);
    const corpus = buildCorpus();
    expect(corpus.filter((c) => c.secret).length).toBeGreaterThanOrEqual(300);
    expect(corpus.filter((c) => !c.secret).length).toBeGreaterThanOrEqual(300);
    const detector = createDetector();
    let tp = 0;
    let fp = 0;
    let fn = 0;
    const misses: string[] = [];
    for (const item of corpus) {
      const found = detector.scanText(item.text, { path: 'corpus/item.txt' }).length > 0;
      if (item.secret && found) tp++;
      else if (item.secret) {
        fn++;
        misses.push(`missed ${item.kind}`);
      } else if (found) {
        fp++;
        misses.push(
          `false positive ${item.kind}: ${detector
            .scanText(item.text, { path: 'x' })
            .map((f) => `${f.ruleId} ${f.excerpt}`)
            .join('; ')}`,
        );
      }
    }
    const recall = tp / (tp + fn);
    const precision = tp / (tp + fp);
    console.log(
      `corpus: ${corpus.length} texts, recall ${recall.toFixed(3)}, precision ${precision.toFixed(3)}\n${[...new Set(misses)].join('\n')}`,
    );
    expect(recall).toBeGreaterThanOrEqual(0.95);
    expect(precision).toBeGreaterThanOrEqual(0.95);
  });
});
