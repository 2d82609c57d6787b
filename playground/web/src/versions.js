// PEP 440 ordering of version strings, for listing a package's versions in
// the order pip sees them (1.9 before 1.10, 2.0.0rc1 before 2.0.0 before
// 2.0.0.post1). Strings that are not PEP 440 versions sort below the
// others, by their text.

const PATTERN = new RegExp(
  '^v?(?:(\\d+)!)?(\\d+(?:\\.\\d+)*)' +
    '(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\\d*))?' +
    '(?:-(\\d+)|[-_.]?(?:post|rev|r)[-_.]?(\\d*))?' +
    '(?:[-_.]?dev[-_.]?(\\d*))?' +
    '(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$',
);
const PRE = { a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 };

// key is the sort key of a PEP 440 version, as packaging's _cmpkey: epoch,
// release without trailing zeros, pre (a dev-only release before every
// pre-release, none after them), post (none first), dev (none last), local.
function key(v) {
  const m = PATTERN.exec(String(v).trim().toLowerCase());
  if (!m) return null;
  const release = m[2].split('.').map(Number);
  while (release.length > 1 && release[release.length - 1] === 0) release.pop();
  const hasPre = m[3] !== undefined;
  const hasPost = m[5] !== undefined || m[6] !== undefined;
  const hasDev = m[7] !== undefined;
  let pre;
  if (!hasPre && !hasPost && hasDev) pre = [-Infinity];
  else if (!hasPre) pre = [Infinity];
  else pre = [PRE[m[3]], Number(m[4] || 0)];
  const post = hasPost ? [Number(m[5] ?? m[6] ?? 0) || 0] : [-Infinity];
  const dev = hasDev ? [Number(m[7] || 0)] : [Infinity];
  const local = m[8] ? m[8].split(/[-_.]/) : [];
  return { epoch: Number(m[1] || 0), release, pre, post, dev, local };
}

function cmpNumbers(a, b) {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function cmpLocal(a, b) {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === undefined) return -1;
    if (b[i] === undefined) return 1;
    const na = /^\d+$/.test(a[i]);
    const nb = /^\d+$/.test(b[i]);
    if (na && nb && Number(a[i]) !== Number(b[i])) return Number(a[i]) < Number(b[i]) ? -1 : 1;
    if (na !== nb) return na ? 1 : -1;
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

/** compareVersions orders two version strings by PEP 440 (negative when a comes first). */
export function compareVersions(a, b) {
  const ka = key(a);
  const kb = key(b);
  if (!ka || !kb) {
    if (ka) return 1;
    if (kb) return -1;
    return String(a).localeCompare(String(b));
  }
  return (ka.epoch - kb.epoch) || cmpNumbers(ka.release, kb.release) || cmpNumbers(ka.pre, kb.pre) ||
    cmpNumbers(ka.post, kb.post) || cmpNumbers(ka.dev, kb.dev) || cmpLocal(ka.local, kb.local);
}

/** newestFirst sorts version strings (or objects with a version) from the highest to the lowest. */
export function newestFirst(list, get = (x) => x) {
  return [...list].sort((a, b) => compareVersions(get(b), get(a)));
}
