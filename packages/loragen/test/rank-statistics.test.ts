// Spearman's correlation and AUROC, against values worked by hand.
import { auroc, ranks, spearman } from '../src';

describe('rank statistics', () => {
  it('ranks ties by their mean rank', () => {
    expect(ranks([10, 30, 20, 20])).toEqual([1, 4, 2.5, 2.5]);
  });

  it("spearman is 1 for any increasing relation, -1 for a decreasing one, and Pearson's of the ranks otherwise", () => {
    expect(spearman([1, 2, 3, 4], [1, 8, 27, 1000])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // ranks (1,2,3,4) vs (2,1,4,3): d^2 sum 4, rho = 1 - 6*4/(4*15) = 0.6
    expect(spearman([1, 2, 3, 4], [20, 10, 40, 30])).toBeCloseTo(0.6, 12);
    expect(() => spearman([1], [1, 2])).toThrow(/1 scores but 2/);
  });

  it('auroc is the share of positive-negative pairs ordered right, ties half', () => {
    expect(auroc([0.9, 0.8, 0.1, 0.2], [true, true, false, false])).toBe(1);
    expect(auroc([0.1, 0.2, 0.9, 0.8], [true, true, false, false])).toBe(0);
    // positives 0.5, 0.3; negatives 0.4, 0.5: pairs (0.5>0.4) 1, (0.5=0.5) 0.5, (0.3<0.4) 0, (0.3<0.5) 0 -> 1.5 / 4
    expect(auroc([0.5, 0.3, 0.4, 0.5], [true, true, false, false])).toBeCloseTo(0.375, 12);
    expect(auroc([1, 2], [true, true])).toBeNaN();
  });
});
