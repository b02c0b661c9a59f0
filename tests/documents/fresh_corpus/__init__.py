"""A fresh corpus: report and chronology pairs written without reading the checker, each with the
findings expected from the seeds and docs/document-check.md, fixed before the check was run."""
