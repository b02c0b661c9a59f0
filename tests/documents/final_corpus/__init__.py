"""The final corpus: pairs of IMR report and chronology built with python-docx (build.py), each with its expected findings (pairs.py)."""
