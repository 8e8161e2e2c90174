/** fast-check generators of kubesphere.yaml documents (see yaml-doc.ts) and of the values written into them. */
import fc from 'fast-check';
import type { Doc, Entry, Extra, Node } from './yaml-doc.js';

export type Layout = 'v3' | 'v4';
export const SECRET_PATH: Record<Layout, string[]> = {
  v3: ['authentication', 'jwtSecret'],
  v4: ['authentication', 'issuer', 'jwtSecret'],
};
export const MAX_AGE_PATH: Record<Layout, string[]> = {
  v3: ['authentication', 'oauthOptions', 'accessTokenMaxAge'],
  v4: ['authentication', 'issuer', 'accessTokenMaxAge'],
};

const ASCII = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
/** Multi-byte, emoji (with ZWJ and variation selectors), non-BMP, combining marks, no-break space. */
// prettier-ignore
const UNICODE = [
  'é', 'ß', 'ж', '中', '日本', '한', '∞', '€', 'ﬁ', 'e\u0301', '\u00a0', '🙂', '😀', '👩‍💻', '❤️', '𝄞', '𠜎',
];
/** Characters YAML 1.1 readers treat specially: line breaks to libyaml, non-printable to both parsers. */
// prettier-ignore
export const HARD = [
  '\t', '\u0085', '\u2028', '\u2029', '\u007f', '\u0080', '\u009f', '\ufeff', '\u0001', '\u001b',
];

/** `arb` one time in four, else undefined. */
function sometimes<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
}

const char = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ASCII) }, fc.constantFrom(...UNICODE));
const text = (max: number): fc.Arbitrary<string> => fc.array(char, { maxLength: max }).map((a) => a.join(''));
const alnum = fc
  .array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'), {
    minLength: 1,
    maxLength: 40,
  })
  .map((a) => a.join(''));

/** Strings YAML 1.1 or 1.2 would read as something else when written plain. */
// prettier-ignore
export const TRICKY = [
  'yes', 'no', 'on', 'off', 'y', 'n', 'Y', 'N', 'True', 'FALSE', 'Off', '~', 'null', 'NULL', '0777', '0o17',
  '0x1F', '0b101', '1_000', '1__', '08', '1:20', '190:20:30', '.inf', '-.inf', '+.INF', '.NaN', '1e3', '1E-5',
  '.5', '1.', '+1', '-1', '2001-12-14', '2001-1-2 3:04:05', '2001-12-14t21:59:43.10-05:00', '<<', '=', '0s',
  '0',
];
// prettier-ignore
const INDICATORS = [
  ':', '#', '-', '?', '*', '&', '!', '%', '@', '`', '|', '>', "'", '"', '{', '[', ']', ',', ' ',
];

/** Values to write: tricky shapes, indicator prefixes and suffixes, quotes, padded, unicode, long. */
export const anyValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...TRICKY),
  fc.tuple(fc.constantFrom(...INDICATORS, '- ', '? ', ': ', '---', '...'), text(20)).map(([a, b]) => a + b),
  fc.tuple(text(20), fc.constantFrom(' ', ':', ': ', ' #', '#', "'", '"', '\\')).map(([a, b]) => a + b),
  fc.tuple(text(10), fc.constantFrom(': ', ' #', "''", '\\n', '\\"'), text(10)).map(([a, b, c]) => a + b + c),
  alnum,
  text(40),
  fc.array(char, { minLength: 200, maxLength: 1500 }).map((a) => a.join('')),
);

export const maxAgeValue = fc.oneof(
  fc.constantFrom('0s', '2h', '0', '10m0s', '168h0m0s', '1h', '30m'),
  anyValue,
);

/** Writes `s` the way a person or a template might: single quotes, or double quotes with assorted escapes. */
export function quoteSingle(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
export function quoteDouble(s: string, escapeMask: number): string {
  let out = '';
  let i = 0;
  for (const c of s) {
    const code = c.codePointAt(0) as number;
    const esc = (escapeMask >> (i++ % 30)) & 1;
    if (c === '"' || c === '\\') out += `\\${c}`;
    else if (c === '\t') out += esc ? '\\t' : '\t';
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029) {
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else if (esc && code <= 0xff) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (esc && code <= 0xffff) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else if (esc) out += `\\U${code.toString(16).padStart(8, '0')}`;
    else out += c;
  }
  return `"${out}"`;
}

/** A scalar token for `s` in some style that certainly reads back as the string `s`. */
export function tokenFor(s: string, style: 'single' | 'double' | 'plain', mask: number): string {
  if (
    style === 'plain' &&
    /^[a-zA-Z][a-zA-Z0-9]*$/.test(s) &&
    !/^(?:y|n|yes|no|on|off|true|false|null)$/i.test(s)
  ) {
    return s;
  }
  return style === 'single' ? quoteSingle(s) : quoteDouble(s, mask);
}

const existingToken = (values: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          values,
          fc.constantFrom('single', 'double', 'plain') as fc.Arbitrary<'single' | 'double' | 'plain'>,
          fc.nat(),
        )
        .map(([s, style, mask]) => tokenFor(s, style, mask)),
    },
    // Plain, as Go's encoder or a hand edit leaves them: valid, though not all read as strings in YAML 1.1.
    fc.constantFrom('abc#def', 'a:b', 'FAKE_secret+/=', 'yes', '0777', '1_000', '2h0m0s', 'x y z', 'ünï'),
  );
const pad = sometimes(fc.constantFrom(' ', '   ', '\t'));
/** How a target key is spelled: plain mostly, quoted or with a space before the colon after hand edits. */
const spelling = (key: string): fc.Arbitrary<{ keyText?: string; gap?: string }> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant({}) },
    fc.constantFrom(
      { keyText: `"${key}"` },
      { keyText: `'${key}'` },
      { gap: ' ' },
      { keyText: `"${key}"`, gap: ' ' },
    ),
  );

// ---- document parts -------------------------------------------------------------------------------------------

const commentText = fc.oneof(
  fc.constant(''),
  text(30).map((t) => ` ${t}`.trimEnd()),
  fc.constantFrom(' jwtSecret: "trap"', ' accessTokenMaxAge: 2h', ' edited by hand 🙂'),
);
const trailing = sometimes(fc.record({ sep: fc.constantFrom(' ', '  ', '\t', ' \t'), text: commentText }));
const extrasAt = (indent: number): fc.Arbitrary<Extra[]> =>
  fc.array(
    fc.oneof(
      fc.constantFrom<Extra>({ t: 'blank', ws: '' }, { t: 'blank', ws: ' ' }),
      fc.record({
        t: fc.constant('comment' as const),
        col: fc.integer({ min: 0, max: indent }),
        text: commentText,
      }),
    ),
    { maxLength: 3 },
  );

// prettier-ignore
const FILLER_KEYS = [
  'network', 'monitoring', 'gpu', 'notification', 'terminal', 'gateway', 'redis', 'ldap', 's3', 'devops',
  'alerting', 'auditing', 'servicemesh', 'ключ', '鍵', 'emoji🙂', 'k8s.io/name', 'a-b_c', 'x y', '"quoted key"',
  "'single key'", 'maximumClockSkew', 'multipleLogin', 'kubectlImage', 'accessTokenInactivityTimeout',
  'clients',
];
const TRAP_KEYS = ['authentication', 'jwtSecret', 'oauthOptions', 'issuer', 'accessTokenMaxAge'];
// prettier-ignore
const PLAIN_VALUES = [
  '10m0s', 'True', 'false', '~', 'null', '600', '0', 'kubesphere/kubectl:v1.22.0', 'http://p.svc:9090',
  'a b c', 'ünïcödé', '日本語', '😀 emoji', '-1', '1.5', '0777', 'yes', "it's", 'a#b', 'a:b:c',
];
// prettier-ignore
const BLOCK_LINES = [
  'jwtSecret: trap', 'accessTokenMaxAge: 2h', '# not a comment', 'authentication:', 'x  y', '  deeper',
];

const scalarToken = fc.oneof(
  fc.constantFrom(...PLAIN_VALUES),
  existingToken(text(30)),
  fc.constantFrom('{}', '[]', '{a: 1, b: "x, y"}', '[a, "b c", {k: v}]', '{ jwtSecret: flow }'),
);

/** Anchors, aliases, a merge key and tags: allowed anywhere but on the edited path. */
const ANCHORS: Node = {
  t: 'raw',
  lines: [
    'base: &base',
    '\tx: 1',
    '\ty: "two"',
    'derived:',
    '\t<<: *base',
    '\ty: 3',
    'alias: *base',
    'tagged: !!str 0777',
  ],
  maps: 3,
};

const fillerNode = (depth: number, traps: boolean): fc.Arbitrary<Node> => {
  const leaves: fc.Arbitrary<Node>[] = [
    fc.constant(ANCHORS),
    scalarToken.map((token): Node => ({ t: 'token', token })),
    fc.constant<Node>({ t: 'empty' }),
    fc
      .record({
        header: fc.constantFrom('|', '>', '|-'),
        // The first line sets the block's indentation: a more-indented one later is fine, before is not.
        body: fc
          .array(fc.constantFrom(...BLOCK_LINES), { minLength: 1, maxLength: 3 })
          .map((b) => ['line one', ...b]),
      })
      .map((b): Node => ({ t: 'block', ...b })),
    fc
      .array(fc.constantFrom('one', 'two', 'drei', 'ñ'), { minLength: 1, maxLength: 3 })
      .chain((rest) =>
        fc.constantFrom<Node>(
          { t: 'multiline', first: 'word', rest },
          { t: 'multiline', first: '"quoted', rest: [...rest.slice(0, -1), `${rest[rest.length - 1]}"`] },
        ),
      ),
    fc
      .record({
        items: fc.array(
          scalarToken.map((token): Node => ({ t: 'token', token })),
          { minLength: 1, maxLength: 3 },
        ),
        compact: fc.boolean(),
      })
      .map((s): Node => ({ t: 'seq', ...s })),
  ];
  if (depth >= 3) return fc.oneof(...leaves);
  return fc.oneof(
    ...leaves,
    fc
      .array(fillerEntry(depth + 1, traps), { minLength: 1, maxLength: 3 })
      .map((entries): Node => ({ t: 'map', entries })),
    fc
      .record({
        items: fc.array(
          fc
            .array(fillerEntry(depth + 2, traps), { minLength: 1, maxLength: 3 })
            .map((entries): Node => ({ t: 'map', entries })),
          { minLength: 1, maxLength: 2 },
        ),
        compact: fc.boolean(),
      })
      .map((s): Node => ({ t: 'seq', ...s })),
  );
};

/** `traps`: below the root, keys may be named like the targets (e.g. `gateway.authentication.jwtSecret`). */
function fillerEntry(depth: number, traps = false): fc.Arbitrary<Entry> {
  const keys = traps && depth >= 1 ? [...FILLER_KEYS, ...TRAP_KEYS] : FILLER_KEYS;
  return fc
    .record({
      key: fc.constantFrom(...keys),
      node: fillerNode(depth, traps),
      comment: trailing,
      before: extrasAt(depth * 2),
    })
    .map((e) => ({ ...e, comment: e.node.t === 'multiline' ? undefined : e.comment }));
}

// ---- the target ----------------------------------------------------------------------------------------------

type Ranked = { rank: number; entry: Entry };

/** A leaf the edit targets: absent, or present (maybe after a decoy duplicate), as a token or empty. */
const leaf = (key: string, values: fc.Arbitrary<string>): fc.Arbitrary<Ranked[]> =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant<Ranked[]>([]) },
    {
      weight: 3,
      arbitrary: fc
        .record({
          node: fc.oneof(
            {
              weight: 4,
              arbitrary: fc
                .tuple(existingToken(values), pad, fc.constantFrom(' ', ' ', '  ', '     '))
                .map(([token, p, sep]): Node => ({ t: 'token', token, sep, pad: p })),
            },
            fc.constant<Node>({ t: 'empty' }),
            fc.constantFrom<Node>({ t: 'token', token: '~' }, { t: 'token', token: 'null' }),
          ),
          comment: trailing,
          before: extrasAt(2),
          rank: fc.nat(),
          decoy: sometimes(fc.record({ token: existingToken(values), rank: fc.nat() })),
          spelled: spelling(key),
        })
        .map(({ node, comment, before, rank, decoy, spelled }): Ranked[] => {
          const real = { rank, entry: { key, ...spelled, node, comment, before } };
          if (!decoy) return [real];
          const first = Math.min(rank, decoy.rank);
          const second = Math.max(rank, decoy.rank) + 1;
          return [
            { rank: first, entry: { key, node: { t: 'token', token: decoy.token }, before: [] } },
            { ...real, rank: second },
          ];
        }),
    },
  );

/** A parent mapping on the path: absent, `key:`, `key: ~`/`null`/`{}`, or a block mapping of ranked children. */
const parent = (key: string, children: fc.Arbitrary<Ranked[]>, depth: number): fc.Arbitrary<Ranked[]> =>
  fc
    .record({
      form: fc.constantFrom('absent', 'empty', 'null', 'map', 'map', 'map', 'map', 'map', 'map'),
      nullToken: fc.constantFrom('~', 'null', '{}', '{ }'),
      children,
      fillers: fc.array(
        fillerEntry(depth + 1).map((entry) => ({ entry })),
        { minLength: 1, maxLength: 4 },
      ),
      fillerRanks: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
      comment: trailing,
      before: extrasAt(depth * 2),
      rank: fc.nat(),
      spelled: spelling(key),
    })
    .map((p): Ranked[] => {
      if (p.form === 'absent') return [];
      const base = { key, ...p.spelled, comment: p.comment, before: p.before };
      if (p.form === 'empty') return [{ rank: p.rank, entry: { ...base, node: { t: 'empty' } } }];
      if (p.form === 'null')
        return [{ rank: p.rank, entry: { ...base, node: { t: 'token', token: p.nullToken } } }];
      const all = [
        ...p.fillers.map((f, i) => ({ rank: p.fillerRanks[i] ?? 0, entry: f.entry })),
        ...p.children,
      ];
      const entries = all.sort((a, b) => a.rank - b.rank).map((r) => r.entry);
      return [{ rank: p.rank, entry: { ...base, node: { t: 'map', entries } } }];
    });

const merge = (...parts: fc.Arbitrary<Ranked[]>[]): fc.Arbitrary<Ranked[]> =>
  fc.tuple(...parts).map((lists) => lists.flat());

const authV3 = parent(
  'authentication',
  merge(leaf('jwtSecret', anyValue), parent('oauthOptions', leaf('accessTokenMaxAge', maxAgeValue), 1)),
  0,
);
const authV4 = parent(
  'authentication',
  parent('issuer', merge(leaf('jwtSecret', anyValue), leaf('accessTokenMaxAge', maxAgeValue)), 1),
  0,
);

export interface Generated {
  layout: Layout;
  doc: Doc;
}

export const documents: fc.Arbitrary<Generated> = fc
  .constantFrom<Layout>('v3', 'v4')
  .chain((layout) =>
    fc.record({
      layout: fc.constant(layout),
      auth: layout === 'v3' ? authV3 : authV4,
      /** An earlier `authentication:` that the real one overrides. */
      decoyAuth: sometimes(layout === 'v3' ? authV3 : authV4),
      fillers: fc.array(fc.record({ rank: fc.nat(), entry: fillerEntry(0, true) }), {
        minLength: 1,
        maxLength: 6,
      }),
      eol: fc.constantFrom<'\n' | '\r\n'>('\n', '\r\n'),
      eolMask: sometimes(fc.nat()),
      end: fc.boolean(),
      start: fc.option(fc.constantFrom('---', '--- # ks-installer'), { nil: undefined, freq: 2 }),
      header: extrasAt(0),
      trailingExtras: extrasAt(0),
      finalEol: fc.boolean(),
      step: fc.constantFrom(2, 2, 2, 3, 4),
    }),
  )
  .map((g) => {
    const ranked = [...g.fillers, ...g.auth].sort((a, b) => a.rank - b.rank);
    const decoy = g.decoyAuth?.[0];
    const root = ranked.map((r) => r.entry);
    const realAt = root.findIndex((e) => e.key === 'authentication');
    if (decoy && realAt >= 0) root.splice(decoy.rank % (realAt + 1), 0, decoy.entry);
    const doc: Doc = {
      eol: g.eol,
      eolMask: g.eolMask,
      start: g.start,
      end: g.end,
      header: g.header,
      root,
      trailing: g.trailingExtras,
      finalEol: g.finalEol,
      step: g.step,
    };
    return { layout: g.layout, doc };
  });
