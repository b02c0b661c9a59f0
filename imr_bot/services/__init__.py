"""Use cases: each opens one unit of work, asks the domain, and writes the change with its audit
entry. They know nothing of Teams; they take plain values and return plain values."""
