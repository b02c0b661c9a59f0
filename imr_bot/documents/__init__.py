"""Document adapters: Word templates (python-docx) and the tracker workbook (openpyxl)."""
