import { describe, expect, it } from 'vitest';
import { escapeHtml, truncate } from './escape-html.js';

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and in quoted attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
  });

  it('leaves other text alone', () => {
    expect(escapeHtml('chaos/0 → node 2 (term 7) ✓')).toBe('chaos/0 → node 2 (term 7) ✓');
  });
});

describe('truncate', () => {
  it('keeps short text and cuts long text to the given length with a mark', () => {
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abcdef', 4)).toHaveLength(4);
  });
});
