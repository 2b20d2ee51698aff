"""Print bench/results/fit_debian.json as the README's markdown table."""

from __future__ import annotations

import json
import sys
from pathlib import Path

path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "results" / "fit_debian.json"
report = json.loads(path.read_text())
print(f"{report['n_documents']:,} documents, {report['n_gold_labels']} gold sections, {report['machine']['cpus']} "
      f"cores, {report['date']}; one process per row, same embeddings "
      f"({report.get('embedding_model', 'all-MiniLM-L6-v2')}).\n")
print("| configuration | fit s | × BERTopic time | representations s | topics | outliers | NMI | ARI | NPMI "
      "| C_v | diversity | peak RSS MB |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in report["results"]:
    ratio = r.get("fit_time_ratio_vs_bertopic")
    rep = r.get("represent_seconds")
    rep = "" if rep is None or rep != rep else f"{rep:.1f}"
    print(f"| {r['name']} | {r['fit_seconds']:.1f} | {'' if ratio is None else f'{ratio:.2f}'} | {rep} "
          f"| {r['n_topics']} | {r['outlier_fraction']:.1%} | {r['nmi']:.3f} | {r['ari']:.3f} | {r['npmi']:.3f} "
          f"| {r.get('c_v', float('nan')):.3f} | {r['diversity']:.3f} | {r['peak_rss_mb']:.0f} |")
