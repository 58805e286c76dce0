// Drives `termijn lsp` through a whole editing session with the protocol library VS Code's client
// is built on (vscode-languageserver-protocol): open, edit, diagnostics, quick fix, hover,
// definition, completion, symbols, formatting, references, rename, scenario and simulation files,
// shutdown.
// TERMIJN names the program, TERMIJN_SOURCE_DIR the source tree; the processes are copied to a
// temporary workspace so nothing in the tree is touched.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node.js';

const program = process.env.TERMIJN;
const source = process.env.TERMIJN_SOURCE_DIR;
assert.ok(program && source, 'set TERMIJN (the program) and TERMIJN_SOURCE_DIR (the source tree)');

const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'termijn-lsp-'));
fs.cpSync(path.join(source, 'processes'), path.join(workspace, 'processes'), { recursive: true });
fs.cpSync(path.join(source, 'examples', 'simulation'), path.join(workspace, 'examples', 'simulation'), { recursive: true });
// An editor's lock file, a link to nowhere: the workspace walk must step over it.
fs.symlinkSync('/nonexistent/termijn', path.join(workspace, 'processes', '.#landelijk.wth'));
fs.symlinkSync('/nonexistent/termijn', path.join(workspace, 'processes', 'scenarios', 'a-dangling.scenario'));
const file = (relative) => path.join(workspace, relative);
const uri = (relative) => pathToFileURL(file(relative)).href;

let server, connection, exitCode;
const published = new Map();  // uri -> the latest diagnostics
const waiters = [];

function diagnosticsFor(documentUri, version) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no diagnostics for ${documentUri} v${version}`)), 20000);
    const check = () => {
      const p = published.get(documentUri);
      if (p && (version === undefined || p.version === version)) {
        clearTimeout(timer);
        resolve(p.diagnostics);
        return true;
      }
      return false;
    };
    if (!check()) waiters.push(check);
  });
}

// Where `needle` is in `text` (its `nth` occurrence), `offset` characters in.
function at(text, needle, offset = 0, nth = 0) {
  let index = -1;
  for (let i = 0; i <= nth; ++i) index = text.indexOf(needle, index + 1);
  assert.ok(index >= 0, `'${needle}' is not in the text`);
  const before = text.slice(0, index + offset);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - before.lastIndexOf('\n') - 1 };
}

let version = 1;
async function open(relative, text = fs.readFileSync(file(relative), 'utf8')) {
  const language = relative.endsWith('.wth') ? 'termijn' : relative.endsWith('.scenario') ? 'termijn-scenario' : 'termijn-simulation';
  published.delete(uri(relative));
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(relative), languageId: language, version: 1, text } });
  return diagnosticsFor(uri(relative), 1);
}

async function change(relative, text) {
  version += 1;
  await connection.sendNotification('textDocument/didChange', {
    textDocument: { uri: uri(relative), version }, contentChanges: [{ text }],
  });
  return diagnosticsFor(uri(relative), version);
}

const request = (method, relative, position, extra = {}) =>
  connection.sendRequest(method, { textDocument: { uri: uri(relative) }, position, ...extra });

before(async () => {
  server = spawn(program, ['lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  server.on('exit', (code) => { exitCode = code; });
  connection = createProtocolConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
  connection.onNotification('textDocument/publishDiagnostics', (params) => {
    published.set(params.uri, params);
    for (let i = waiters.length - 1; i >= 0; --i) if (waiters[i]()) waiters.splice(i, 1);
  });
  connection.listen();
  const result = await connection.sendRequest('initialize', {
    processId: process.pid, rootUri: pathToFileURL(workspace).href, capabilities: {},
    workspaceFolders: [{ uri: pathToFileURL(workspace).href, name: 'regio' }],
  });
  assert.equal(result.serverInfo.name, 'termijn');
  for (const capability of ['hoverProvider', 'definitionProvider', 'completionProvider', 'documentSymbolProvider', 'renameProvider',
    'documentFormattingProvider']) {
    assert.ok(result.capabilities[capability], `the server offers ${capability}`);
  }
  await connection.sendNotification('initialized', {});
});

after(() => {
  connection?.dispose();
  server?.kill();
  fs.rmSync(workspace, { recursive: true, force: true });
});

test('a shipped variant opens without diagnostics', async () => {
  assert.deepEqual(await open('processes/rotterdam.wth'), []);
});

test('a typo is underlined as it is typed, and its did-you-mean is a quick fix', async () => {
  const text = fs.readFileSync(file('processes/rotterdam.wth'), 'utf8');
  const typo = text.replace('by weegteam within', 'by weegteem within');
  const diagnostics = await change('processes/rotterdam.wth', typo);
  assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
  const [d] = diagnostics;
  assert.match(d.message, /unknown role 'weegteem' \(did you mean 'weegteam'\?\)/);
  assert.equal(d.severity, 1);
  assert.deepEqual(d.range.start, at(typo, 'weegteem'));
  const actions = await connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri: uri('processes/rotterdam.wth') }, range: d.range, context: { diagnostics: [d] },
  });
  assert.equal(actions.length, 1);
  assert.equal(actions[0].kind, 'quickfix');
  const edits = actions[0].edit.changes[uri('processes/rotterdam.wth')];
  assert.deepEqual(edits, [{ range: d.range, newText: 'weegteam' }]);
  assert.deepEqual(await change('processes/rotterdam.wth', text), [], 'fixed, the diagnostic goes');
});

test('hover on a legal term gives its value, its article and the law quoted above it', async () => {
  const text = fs.readFileSync(file('processes/landelijk.wth'), 'utf8');
  await open('processes/landelijk.wth');
  const hover = await request('textDocument/hover', 'processes/landelijk.wth', at(text, 'Wth.eerste_termijn', 6));
  assert.equal(hover.contents.kind, 'markdown');
  assert.match(hover.contents.value, /Wth\.eerste_termijn` = \*\*10 days\*\*/);
  assert.match(hover.contents.value, /art\. 2 lid 1 Wth/);
  assert.match(hover.contents.value, /voor een periode van tien dagen/);
});

test('hover on an inherited, overridden step gives the variant\'s deadline rule in words', async () => {
  const text = fs.readFileSync(file('processes/rotterdam.wth'), 'utf8');
  const hover = await request('textDocument/hover', 'processes/rotterdam.wth', at(text, 'override task rihg', 15));
  assert.match(hover.contents.value, /\*\*task\*\* `rihg`/);
  assert.match(hover.contents.value, /overridden in rotterdam/);
  assert.match(hover.contents.value, /Praktijk\.rihg_rotterdam = 4 hours/);
  assert.match(hover.contents.value, /by \*\*hovj\*\*/);
});

test('go to definition follows extends, imports and overrides into the parent', async () => {
  const text = fs.readFileSync(file('processes/rotterdam.wth'), 'utf8');
  const landelijk = fs.readFileSync(file('processes/landelijk.wth'), 'utf8');
  const parent = await request('textDocument/definition', 'processes/rotterdam.wth', at(text, 'extends landelijk', 9));
  assert.equal(parent.uri, uri('processes/landelijk.wth'));
  assert.deepEqual(parent.range.start, at(landelijk, 'process landelijk', 8));
  const imported = await request('textDocument/definition', 'processes/rotterdam.wth', at(text, 'import "landelijk.wth"', 10));
  assert.equal(imported.uri, uri('processes/landelijk.wth'));
  const step = await request('textDocument/definition', 'processes/rotterdam.wth', at(text, 'override task rihg', 15));
  assert.equal(step.uri, uri('processes/landelijk.wth'));
  assert.deepEqual(step.range.start, at(landelijk, 'task rihg', 5));
  const term = await request('textDocument/definition', 'processes/landelijk.wth', at(landelijk, 'Wth.eerste_termijn', 6));
  assert.ok(term.uri.endsWith('/stdlib/wth.wth'), term.uri);
});

test('completion offers the terms after "Wth." and the process\'s names elsewhere', async () => {
  const text = fs.readFileSync(file('processes/rotterdam.wth'), 'utf8');
  const typed = text.replace('within Praktijk.rihg_rotterdam', 'within Wth.');
  await change('processes/rotterdam.wth', typed);
  const position = at(typed, 'within Wth.', 'within Wth.'.length);
  const terms = (await request('textDocument/completion', 'processes/rotterdam.wth', position)).map((i) => i.label);
  assert.ok(terms.includes('eerste_termijn') && terms.includes('verlengd_totaal'), terms.join(', '));
  assert.ok(!terms.includes('hovj'), 'only the members after the dot');
  const names = (await request('textDocument/completion', 'processes/rotterdam.wth', at(typed, 'roles weegteam', 6))).map((i) => i.label);
  for (const name of ['hovj', 'weegteam', 'criteria_toetsen', 'rihg', 'Wth', 'task', 'within']) {
    assert.ok(names.includes(name), `'${name}' is offered`);
  }
  await change('processes/rotterdam.wth', text);
});

test('document symbols give the process and its steps as written', async () => {
  const symbols = await connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri: uri('processes/rotterdam.wth') } });
  const process = symbols.find((s) => s.name === 'rotterdam');
  assert.ok(process, JSON.stringify(symbols.map((s) => s.name)));
  assert.equal(process.detail, 'extends landelijk');
  const names = JSON.stringify(process.children);
  for (const step of ['weegteam_beoordeling', 'juridisch_advies', 'rihg']) assert.ok(names.includes(`"${step}"`), step);
});

test('formatting gives the layout of termijn fmt, and nothing to do on a formatted file', async () => {
  const text = fs.readFileSync(file('processes/rotterdam.wth'), 'utf8');
  const messy = text.replace('  roles weegteam, jurist', 'roles    weegteam ,jurist');
  await change('processes/rotterdam.wth', messy);
  const format = () => connection.sendRequest('textDocument/formatting', {
    textDocument: { uri: uri('processes/rotterdam.wth') }, options: { tabSize: 2, insertSpaces: true },
  });
  const edits = await format();
  assert.equal(edits.length, 1);
  assert.equal(edits[0].newText, text, 'the shipped file is in the canonical layout');
  assert.deepEqual(edits[0].range.start, { line: 0, character: 0 });
  await change('processes/rotterdam.wth', text);
  assert.deepEqual(await format(), []);
  await change('processes/rotterdam.wth', text.replace('process rotterdam', 'process {'));
  await assert.rejects(format(), /rotterdam\.wth:\d+:\d+: /);
  await change('processes/rotterdam.wth', text);
});

test('rename of a step reaches the parent, its variants and the scenarios', async () => {
  const text = fs.readFileSync(file('processes/rotterdam.wth'), 'utf8');
  const edit = await request('textDocument/rename', 'processes/rotterdam.wth', at(text, 'override task rihg', 15), { newName: 'risicotaxatie' });
  const files = Object.keys(edit.changes).map((u) => path.relative(workspace, new URL(u).pathname)).sort();
  for (const f of ['processes/landelijk.wth', 'processes/rotterdam.wth', 'processes/scenarios/landelijk.scenario', 'processes/scenarios/rotterdam.scenario']) {
    assert.ok(files.includes(f), `${f} is edited (${files.join(', ')})`);
  }
  for (const edits of Object.values(edit.changes)) for (const e of edits) assert.equal(e.newText, 'risicotaxatie');
  const landelijk = fs.readFileSync(file('processes/landelijk.wth'), 'utf8');
  assert.ok(edit.changes[uri('processes/landelijk.wth')].some((e) => e.range.start.line === at(landelijk, 'task rihg', 5).line));
  await assert.rejects(
    request('textDocument/rename', 'processes/rotterdam.wth', at(text, 'override task rihg', 15), { newName: 'criteria_toetsen' }),
    /already has a step named 'criteria_toetsen'/);
  await assert.rejects(
    request('textDocument/rename', 'processes/rotterdam.wth', at(text, 'override task rihg', 15), { newName: 'task' }),
    /not a name/);
});

test('references find every use of a role across files', async () => {
  const text = fs.readFileSync(file('processes/rotterdam.wth'), 'utf8');
  const refs = await request('textDocument/references', 'processes/rotterdam.wth', at(text, 'by weegteam within', 4),
    { context: { includeDeclaration: true } });
  assert.ok(refs.length >= 3, JSON.stringify(refs));
  assert.ok(refs.some((r) => r.uri === uri('processes/scenarios/rotterdam.scenario')));
});

test('a scenario file is checked against its process, and its names lead into it', async () => {
  const text = fs.readFileSync(file('processes/scenarios/rotterdam.scenario'), 'utf8');
  assert.deepEqual(await open('processes/scenarios/rotterdam.scenario'), []);
  const typo = text.replace('complete weegteam_beoordeling by weegteam', 'complete weegteam_beordeling by weegteam');
  const diagnostics = await change('processes/scenarios/rotterdam.scenario', typo);
  assert.ok(diagnostics.some((d) => /weegteam_beordeling/.test(d.message) && /did you mean 'weegteam_beoordeling'/.test(d.message)),
    JSON.stringify(diagnostics));
  await change('processes/scenarios/rotterdam.scenario', text);
  const step = await request('textDocument/definition', 'processes/scenarios/rotterdam.scenario', at(text, 'complete weegteam_beoordeling', 12));
  assert.equal(step.uri, uri('processes/rotterdam.wth'));
  const hover = await request('textDocument/hover', 'processes/scenarios/rotterdam.scenario', at(text, 'complete weegteam_beoordeling', 12));
  assert.match(hover.contents.value, /by \*\*weegteam\*\*/);
});

test('an edit to a process file that is not saved is seen by the scenario that runs it', async () => {
  const process = fs.readFileSync(file('processes/rotterdam.wth'), 'utf8');
  const renamed = process.replaceAll('weegteam_beoordeling', 'weegteam_oordeel');
  version += 1;
  const waitScenario = (async () => {
    // The open scenario file is checked again when the process it runs changes.
    for (const deadline = Date.now() + 20000; Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 50));
      const p = published.get(uri('processes/scenarios/rotterdam.scenario'));
      if (p && p.diagnostics.length > 0) return p.diagnostics;
    }
    throw new Error('the scenario file was not checked again');
  })();
  await connection.sendNotification('textDocument/didChange', {
    textDocument: { uri: uri('processes/rotterdam.wth'), version }, contentChanges: [{ text: renamed }],
  });
  const diagnostics = await waitScenario;
  assert.ok(diagnostics.some((d) => /weegteam_beoordeling/.test(d.message)), JSON.stringify(diagnostics));
  await change('processes/rotterdam.wth', process);
});

test('a simulation file is checked against its processes', async () => {
  const text = fs.readFileSync(file('examples/simulation/care_models.sim'), 'utf8');
  assert.deepEqual(await open('examples/simulation/care_models.sim'), []);
  const typo = text.replace('capacity veilig_thuis 6', 'capacity veilig_thuiss 6');
  const diagnostics = await change('examples/simulation/care_models.sim', typo);
  assert.ok(diagnostics.some((d) => /veilig_thuiss/.test(d.message)), JSON.stringify(diagnostics));
});

test('a malformed request is answered with an error, and the server goes on', async () => {
  await assert.rejects(connection.sendRequest('textDocument/hover', { textDocument: { uri: 'http://elsewhere/x.wth' }, position: { line: 0, character: 0 } }),
    /not a file: URI/);
  await assert.rejects(connection.sendRequest('textDocument/hover', { textDocument: { uri: uri('processes/rotterdam.wth') }, position: { line: -1, character: 0 } }),
    /'line'/);
  await assert.rejects(connection.sendRequest('workspace/unknown', {}), /does not answer/);
  const text = fs.readFileSync(file('processes/rotterdam.wth'), 'utf8');
  assert.ok(await request('textDocument/hover', 'processes/rotterdam.wth', at(text, 'override task rihg', 15)));
});

test('shutdown then exit ends the server with status 0', async () => {
  assert.equal(await connection.sendRequest('shutdown'), null);
  await connection.sendNotification('exit');
  for (let i = 0; i < 100 && exitCode === undefined; ++i) await new Promise((r) => setTimeout(r, 50));
  assert.equal(exitCode, 0);
});
