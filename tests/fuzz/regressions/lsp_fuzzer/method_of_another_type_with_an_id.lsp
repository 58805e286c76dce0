0Content-Length:165

{"jsonrpc": "2.0", "id": 1, "method": "textDocument/hover", "method": {"textDocument": {"uri": "file:///fuzz/st.cena{io"}, "position": {"line": 4, "character": 22}}}