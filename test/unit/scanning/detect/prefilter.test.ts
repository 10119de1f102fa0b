import fc from 'fast-check';
import { KeywordPrefilter } from '../../../../core/scanning/detect';

describe('KeywordPrefilter', () => {
  it('finds keywords case-insensitively, overlapping ones and ones inside others included', () => {
    const prefilter = new KeywordPrefilter([
      '_auth',
      '_authtoken',
      'auth',
      'sk-',
      'sk-ant-',
      'hooks.slack.com',
    ]);
    expect([...prefilter.present('//r/:_AuthToken=x sk-ANT-api')].sort()).toEqual([
      '_auth',
      '_authtoken',
      'auth',
      'sk-',
      'sk-ant-',
    ]);
    expect([...prefilter.present('see HOOKS.SLACK.COM/services')]).toEqual(['hooks.slack.com']);
    expect(prefilter.present('nothing to see here, hooks.slack.co')).toEqual(new Set());
  });

  it('looks only at the range it is given', () => {
    const prefilter = new KeywordPrefilter(['ghp_']);
    expect(prefilter.present('ghp_ and more', 1).size).toBe(0);
    expect(prefilter.present('xx ghp_', 0, 5).size).toBe(0);
  });

  it('handles keywords with non-ASCII characters', () => {
    const prefilter = new KeywordPrefilter(['passwört']);
    expect([...prefilter.present('PASSWÖRT=1')]).toEqual(['passwört']);
  });

  it('agrees with a naive lowercase search on random texts', () => {
    const keywords = ['ab', 'abc', 'bca', 'c_', 'xyz', 'a-b'];
    const prefilter = new KeywordPrefilter(keywords);
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'A', 'B', '_', '-', 'x', 'y', 'z', 'é') }),
        (text) => {
          const expected = new Set(keywords.filter((k) => text.toLowerCase().includes(k)));
          expect(prefilter.present(text)).toEqual(expected);
        },
      ),
    );
  });
});
