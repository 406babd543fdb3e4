/**
 * `JSON.parse` keeps the last of two equal keys in one object and says nothing: `{"prefixes": ["CTL"], "prefixes":
 * ["C"]}` would quietly mean the second. The drivers that read JSON from people (the CLI's config file, CDK context)
 * refuse such text instead.
 */

/**
 * The dotted path (`buckets.mode`, `rollout.accountOverrides.111122223333.Mode`) of the first key given twice in one
 * object of `text`, or undefined. `text` must already be valid JSON (parse it first): only strings, brackets, commas
 * and colons are looked at.
 */
export function duplicateKey(text: string): string | undefined {
  /** One open object (its keys so far, the key being read) or array (the index being read). */
  const open: { keys?: Set<string>; at: string | number }[] = [];
  const path = (key: string) => [...open.slice(0, -1).map((frame) => frame.at), key].map((part) => (typeof part === 'number' ? `[${part}]` : `.${part}`)).join('').replace(/^\./, '');
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '{') open.push({ keys: new Set(), at: '' });
    else if (char === '[') open.push({ at: 0 });
    else if (char === '}' || char === ']') open.pop();
    else if (char === ',' && typeof open.at(-1)?.at === 'number') (open.at(-1)!.at as number)++;
    else if (char === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const frame = open.at(-1);
      // A string followed by a colon is a key; compared decoded, so "\u0061" and "a" are the same key.
      const colon = /\s*:/y;
      colon.lastIndex = end + 1;
      if (frame?.keys && colon.test(text)) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (frame.keys.has(key)) return path(key);
        frame.keys.add(key);
        frame.at = key;
      }
      i = end;
    }
  }
  return undefined;
}
