"""Put a trained tagger + parser where the package ships it, with its licence and test scores.

Called by scripts/train-parser after `spacy train` and `spacy evaluate`. The treebank's licence
(CC BY-SA 4.0) travels with the model in its meta.json, as the treebank's README asks, and the
scores on the EWT test split are recorded there so the docs can quote the shipped model's own.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

LICENCE = "CC BY-SA 4.0"
SOURCE = (
    "trained on Universal Dependencies English Web Treebank (UD_English-EWT, CC BY-SA 4.0; "
    "Silveira et al. 2014) with spaCy's training, by scripts/train-parser"
)
KEPT_SCORES = ("tag_acc", "dep_uas", "dep_las", "sents_f", "speed")


def package(trained: Path, scores_file: Path, target: Path) -> None:
    scores = json.loads(scores_file.read_text(encoding="utf-8"))
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(trained, target)
    meta_file = target / "meta.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta.update(
        name="tosanalyzer_parser",
        license=LICENCE,
        sources=[
            {
                "name": "UD_English-EWT",
                "url": "https://universaldependencies.org/",
                "license": LICENCE,
            }
        ],
        description=SOURCE,
        test_scores={key: scores[key] for key in KEPT_SCORES if key in scores},
    )
    meta_file.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: package_parser.py TRAINED_MODEL TEST_SCORES.json TARGET_DIR")
    package(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
