// The TextMate grammars the extension colours with, run by the engine VS Code runs them with
// (vscode-textmate on Oniguruma): each shipped kind of file tokenises to the scopes a theme
// colours, line by line, without a token left unscoped where a keyword or a name stands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import textmate from 'vscode-textmate';
import oniguruma from 'vscode-oniguruma';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const source = process.env.TERMIJN_SOURCE_DIR ?? path.resolve(here, '../../..');
const grammars = {
  'source.termijn': 'termijn.tmLanguage.json',
  'source.termijn-scenario': 'termijn-scenario.tmLanguage.json',
  'source.termijn-simulation': 'termijn-simulation.tmLanguage.json',
};

const registry = new textmate.Registry({
  onigLib: (async () => {
    await oniguruma.loadWASM(fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer);
    return { createOnigScanner: (p) => new oniguruma.OnigScanner(p), createOnigString: (s) => new oniguruma.OnigString(s) };
  })(),
  loadGrammar: async (scope) => textmate.parseRawGrammar(
    fs.readFileSync(path.join(here, '..', 'syntaxes', grammars[scope]), 'utf8'), grammars[scope]),
});

// The scopes of each token of `text`, as [token text, innermost scope].
async function tokens(scope, text) {
  const grammar = await registry.loadGrammar(scope);
  let state = textmate.INITIAL;
  const out = [];
  for (const line of text.split('\n')) {
    const result = grammar.tokenizeLine(line, state);
    for (const t of result.tokens) out.push([line.slice(t.startIndex, t.endIndex), t.scopes[t.scopes.length - 1]]);
    state = result.ruleStack;
  }
  return out;
}

const scopeOf = (list, text) => list.find(([t]) => t === text)?.[1];

test('a process file: keywords, step names, roles, terms, durations, strings and comments', async () => {
  const t = await tokens('source.termijn', [
    '// the ban',
    'process rotterdam version 2 extends landelijk {',
    '  task weegteam_beoordeling "Is de casus huisverbodwaardig?" by weegteam within Aanname.weegteam {',
    '    escalate { 2 days after due: notify jurist }',
    '  }',
    '  timer einde = opgelegd + Wth.eerste_termijn /* ten days */',
    '}',
  ].join('\n'));
  assert.equal(scopeOf(t, '// the ban'), 'comment.line.double-slash.termijn');
  assert.equal(scopeOf(t, 'rotterdam'), 'entity.name.type.process.termijn');
  assert.equal(scopeOf(t, 'landelijk'), 'entity.other.inherited-class.termijn');
  assert.equal(scopeOf(t, 'weegteam_beoordeling'), 'entity.name.function.step.termijn');
  assert.equal(scopeOf(t, 'weegteam'), 'variable.other.role.termijn');
  assert.equal(scopeOf(t, 'Aanname'), 'entity.name.namespace.termijn');
  assert.equal(scopeOf(t, 'eerste_termijn'), 'variable.other.constant.term.termijn');
  assert.equal(scopeOf(t, '2'), 'constant.numeric.termijn');
  assert.equal(scopeOf(t, 'days'), 'keyword.other.unit.termijn');
  assert.equal(scopeOf(t, 'escalate'), 'keyword.other.termijn');
  assert.equal(scopeOf(t, 'einde'), 'entity.name.function.step.termijn');
  assert.equal(scopeOf(t, ' ten days '), 'comment.block.termijn');
  assert.ok(t.some(([text, s]) => text.includes('huisverbodwaardig?') && s === 'string.quoted.double.termijn'));
});

test('a scenario file: moments, steps, roles, fields and comments', async () => {
  const t = await tokens('source.termijn-scenario', [
    '# Rotterdam',
    'scenario "geplande screening"',
    'day 2 11:00  complete weegteam_beoordeling by weegteam with huisverbodwaardig=true',
  ].join('\n'));
  assert.equal(scopeOf(t, '# Rotterdam'), 'comment.line.number-sign.termijn');
  assert.equal(scopeOf(t, '11:00'), 'constant.numeric.time.termijn');
  assert.equal(scopeOf(t, 'weegteam_beoordeling'), 'entity.name.function.step.termijn');
  assert.equal(scopeOf(t, 'weegteam'), 'variable.other.role.termijn');
  assert.equal(scopeOf(t, 'huisverbodwaardig'), 'variable.parameter.termijn');
  assert.equal(scopeOf(t, 'true'), 'constant.language.termijn');
});

test('a simulation file: keywords, distributions, durations and shares', async () => {
  const t = await tokens('source.termijn-simulation',
    'duration contact_kind = triangular 4 hours, 1 day, 3 days effort uniform 1 hour, 2 hours\ndata kinderen = [] 40%');
  assert.equal(scopeOf(t, 'duration'), 'keyword.other.termijn');
  assert.equal(scopeOf(t, 'triangular'), 'support.function.distribution.termijn');
  assert.equal(scopeOf(t, 'hours'), 'keyword.other.unit.termijn');
  assert.equal(scopeOf(t, '40%'), 'constant.numeric.termijn');
});

test('every shipped file tokenises to the end without a grammar error', async () => {
  const files = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else files.push(p);
    }
  };
  for (const d of ['processes', 'stdlib', 'examples/simulation']) walk(path.join(source, d));
  const scopes = { '.wth': 'source.termijn', '.scenario': 'source.termijn-scenario', '.sim': 'source.termijn-simulation',
    '.simrules': 'source.termijn-simulation' };
  let checked = 0;
  for (const f of files) {
    const scope = scopes[path.extname(f)];
    if (!scope) continue;
    const t = await tokens(scope, fs.readFileSync(f, 'utf8'));
    assert.ok(t.length > 0, f);
    // A block comment or string left open would swallow the rest of the file.
    const last = t[t.length - 1][1];
    assert.ok(!/comment\.block|string\.quoted/.test(last), `${f} ends inside ${last}`);
    ++checked;
  }
  assert.ok(checked >= 20, `${checked} files`);
});
