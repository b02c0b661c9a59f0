"""The Teams tab: pages the bot serves (static HTML, JavaScript and CSS, no CDN) and the JSON and
CSV they read, each request checked for who is asking (see identity.py)."""
