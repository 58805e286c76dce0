0Content-Length: 572

{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": "file:///fuzz/x.wth", "languageId": "termijn", "version": 1, "text": "import wth\n\nprocess x {\n  roles a, b\n  events begin\n  case { naam: text required }\n  start on begin\n  task t \"eerste\" by a within Wth.eerste_termijn {\n    output klaar: bool\n    escalate { at due: notify b }\n  }\n  decide d {\n    when t.klaar -> u\n    otherwise { end \"niet klaar\" }\n  }\n  task u by b within 2 days\n}\n\nprocess y extends x {\n  override task t within 3 days\n  remove u\n}\n"}}}Content-Length: 249

{"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": "file:///fuzz/x.wth", "version": 2}, "contentChanges": [{"range": {"start": {"line": 7, "character": 19}, "end": {"line": 7, "character": 20}}, "text": "c"}]}}Content-Length: 242

{"jsonrpc": "2.0", "id": 1, "method": "textDocument/codeAction", "params": {"textDocument": {"uri": "file:///fuzz/x.wth"}, "range": {"start": {"line": 7, "character": 19}, "end": {"line": 7, "character": 20}}, "context": {"diagnostics": []}}}Content-Length: 557

{"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": "file:///fuzz/x.wth", "version": 3}, "contentChanges": [{"text": "import wth\n\nprocess x {\n  roles a, b\n  events begin\n  case { naam: text required }\n  start on begin\n  task t \"eerste\" by a within Wth. {\n    output klaar: bool\n    escalate { at due: notify b }\n  }\n  decide d {\n    when t.klaar -> u\n    otherwise { end \"niet klaar\" }\n  }\n  task u by b within 2 days\n}\n\nprocess y extends x {\n  override task t within 3 days\n  remove u\n}\n"}]}}Content-Length: 165

{"jsonrpc": "2.0", "id": 2, "method": "textDocument/completion", "params": {"textDocument": {"uri": "file:///fuzz/x.wth"}, "position": {"line": 7, "character": 31}}}Content-Length: 111

{"jsonrpc": "2.0", "method": "textDocument/didSave", "params": {"textDocument": {"uri": "file:///fuzz/x.wth"}}}Content-Length: 112

{"jsonrpc": "2.0", "method": "textDocument/didClose", "params": {"textDocument": {"uri": "file:///fuzz/x.wth"}}}