"""make cards, step one: bind every card in cards/ with its sample data into var/gallery/."""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from card_samples import samples  # noqa: E402

from imr_bot.teams.card_templates import CardLibrary  # noqa: E402

library = CardLibrary(ROOT / "cards")
out = ROOT / "var" / "gallery"
out.mkdir(parents=True, exist_ok=True)
for name, data in samples().items():
    (out / f"{name}.json").write_text(json.dumps(library.render(name, data), indent=1))
print(f"bound {len(samples())} cards into {out}")
