// The README that goes into the .vsix. The package has no repository field, so vsce cannot make the README's
// relative links absolute, and most of them name files that are not in the package (docs/, test/): in the
// installed extension's details view they lead nowhere. Links to packaged files stay; the others become their
// text with the repository path beside it, and images that are not packaged are left out.

/**
 * `text` with every relative Markdown link whose target is not packaged rewritten. `packaged(relPath)` tells
 * whether a path (file or folder, without a #fragment) is in the package.
 */
export function readmeForPackage(text, packaged) {
  return text.replace(/(!?)\[([^\]]*)\]\(([^)\s]+)\)/g, (whole, bang, label, target) => {
    if (/^[a-z][a-z0-9+.-]*:|^#/i.test(target)) return whole; // absolute URL or an anchor in the README
    const file = target.split('#')[0].replace(/^\.\//, '').replace(/\/$/, '');
    if (packaged(file)) return whole;
    if (bang) return '';
    return `${label} (\`${file}\` in the repository)`;
  });
}

/** A `packaged` test over the list `vsce ls` prints (files only: a folder counts when a file is under it). */
export function packagedIn(files) {
  const set = new Set(files);
  return (p) => set.has(p) || files.some((f) => f.startsWith(`${p}/`));
}
