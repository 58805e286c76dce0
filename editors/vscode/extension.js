// Starts `termijn lsp` for the three file kinds a coordinator edits, and hands its diagnostics,
// hovers, definitions, completions, symbols, renames and quick fixes to VS Code.
'use strict';

const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const settings = vscode.workspace.getConfiguration('termijn');
  const args = ['lsp'];
  const stdlib = settings.get('stdlib');
  if (stdlib) args.unshift('--stdlib', stdlib);
  const run = { command: settings.get('path') || 'termijn', args, transport: TransportKind.stdio };
  client = new LanguageClient('termijn', 'termijn', { run, debug: run }, {
    documentSelector: [
      { scheme: 'file', language: 'termijn' },
      { scheme: 'file', language: 'termijn-scenario' },
      { scheme: 'file', language: 'termijn-simulation' },
    ],
  });
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((change) => {
    if (change.affectsConfiguration('termijn')) {
      vscode.window.showInformationMessage('termijn: reload the window to use the changed settings.');
    }
  }));
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
