0Content-Length: 572

{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": "file:///fuzz/x.wth", "languageId": "termijn", "version": 1, "text": "import wth\n\nprocess x {\n  roles a, b\n  events begin\n  case { naam: text required }\n  start on begin\n  task t \"eerste\" by a within Wth.eerste_termijn {\n    output klaar: bool\n    escalate { at due: notify b }\n  }\n  decide d {\n    when t.klaar -> u\n    otherwise { end \"niet klaar\" }\n  }\n  task u by b within 2 days\n}\n\nprocess y extends x {\n  override task t within 3 days\n  remove u\n}\n"}}}Content-Length: 396

{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": "file:///fuzz/t.scenario", "languageId": "termijn-scenario", "version": 1, "text": "scenario \"eerste\"\nprocess x from \"x.wth\"\nstart 2026-10-20 14:00 on begin with naam=\"a\"\nday 0 14:00  expect task t open for a\nday 1 10:00  complete t by a with klaar=true\nday 1 10:00  expect task u open for b\n"}}}Content-Length: 165

{"jsonrpc": "2.0", "id": 1, "method": "textDocument/hover", "params": {"textDocument": {"uri": "file:///fuzz/t.scenario"}, "position": {"line": 4, "character": 22}}}Content-Length: 170

{"jsonrpc": "2.0", "id": 2, "method": "textDocument/definition", "params": {"textDocument": {"uri": "file:///fuzz/t.scenario"}, "position": {"line": 4, "character": 22}}}Content-Length: 170

{"jsonrpc": "2.0", "id": 3, "method": "textDocument/completion", "params": {"textDocument": {"uri": "file:///fuzz/t.scenario"}, "position": {"line": 5, "character": 26}}}Content-Length: 132

{"jsonrpc": "2.0", "id": 4, "method": "textDocument/documentSymbol", "params": {"textDocument": {"uri": "file:///fuzz/t.scenario"}}}Content-Length: 571

{"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": "file:///fuzz/x.wth", "version": 2}, "contentChanges": [{"text": "import wth\n\nprocess x {\n  roles a, b\n  events begin\n  case { naam: text required }\n  start on begin\n  task t \"eerste\" by a within Wth.eerste_termijn {\n    output klaar: bool\n    escalate { at due: notify b }\n  }\n  decide d {\n    when t.klaar -> u\n    otherwise { end \"niet klaar\" }\n  }\n  task v by b within 2 days\n}\n\nprocess y extends x {\n  override task t within 3 days\n  remove u\n}\n"}]}}