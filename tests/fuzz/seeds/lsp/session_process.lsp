0Content-Length: 572

{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": "file:///fuzz/x.wth", "languageId": "termijn", "version": 1, "text": "import wth\n\nprocess x {\n  roles a, b\n  events begin\n  case { naam: text required }\n  start on begin\n  task t \"eerste\" by a within Wth.eerste_termijn {\n    output klaar: bool\n    escalate { at due: notify b }\n  }\n  decide d {\n    when t.klaar -> u\n    otherwise { end \"niet klaar\" }\n  }\n  task u by b within 2 days\n}\n\nprocess y extends x {\n  override task t within 3 days\n  remove u\n}\n"}}}Content-Length: 160

{"jsonrpc": "2.0", "id": 1, "method": "textDocument/hover", "params": {"textDocument": {"uri": "file:///fuzz/x.wth"}, "position": {"line": 7, "character": 35}}}Content-Length: 166

{"jsonrpc": "2.0", "id": 2, "method": "textDocument/definition", "params": {"textDocument": {"uri": "file:///fuzz/x.wth"}, "position": {"line": 20, "character": 17}}}Content-Length: 165

{"jsonrpc": "2.0", "id": 3, "method": "textDocument/completion", "params": {"textDocument": {"uri": "file:///fuzz/x.wth"}, "position": {"line": 7, "character": 33}}}Content-Length: 127

{"jsonrpc": "2.0", "id": 4, "method": "textDocument/documentSymbol", "params": {"textDocument": {"uri": "file:///fuzz/x.wth"}}}Content-Length: 206

{"jsonrpc": "2.0", "id": 5, "method": "textDocument/references", "params": {"textDocument": {"uri": "file:///fuzz/x.wth"}, "position": {"line": 7, "character": 21}, "context": {"includeDeclaration": true}}}Content-Length: 167

{"jsonrpc": "2.0", "id": 6, "method": "textDocument/prepareRename", "params": {"textDocument": {"uri": "file:///fuzz/x.wth"}, "position": {"line": 7, "character": 8}}}Content-Length: 179

{"jsonrpc": "2.0", "id": 7, "method": "textDocument/rename", "params": {"textDocument": {"uri": "file:///fuzz/x.wth"}, "position": {"line": 7, "character": 8}, "newName": "taak"}}Content-Length: 63

{"jsonrpc": "2.0", "id": 8, "method": "shutdown", "params": {}}Content-Length: 50

{"jsonrpc": "2.0", "method": "exit", "params": {}}