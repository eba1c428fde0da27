"""Bringing responses in from elsewhere (paper, Excel, another survey tool) and taking data out.

`importing` reads and checks a file, `operations` writes an import, `exporting` builds the
downloads; `views` and `cli` are the two ways in. docs/import-export.md describes the formats.
"""
