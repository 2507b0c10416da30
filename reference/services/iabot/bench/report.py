"""Merges the C and scikit-learn benchmark figures into one JSON document
and a Markdown page, with the machine they ran on.

Usage: report.py C.json SKLEARN.json OUT_PREFIX  (writes OUT_PREFIX.json and .md)
"""
import datetime
import json
import os
import platform
import sys

# Targets of the C model: macro-F1 within this of the reference, p99 below this.
MAX_F1_GAP = 0.02
MAX_P99_US = 1000.0


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": model, "cores": os.cpu_count(), "system": platform.platform()}


def confusion_table(evaluation):
    labels = evaluation["labels"]
    short = [label[:6] for label in labels]
    lines = ["| true \\ predicted | " + " | ".join(short) + " |",
             "|---" * (len(labels) + 1) + "|"]
    for label, row in zip(labels, evaluation["confusion"]):
        lines.append("| %s | %s |" % (label, " | ".join(str(v) for v in row)))
    return "\n".join(lines)


def markdown(doc):
    c, ref = doc["c"], doc["sklearn"]
    ce, re_ = c["evaluation"], ref["evaluation"]
    m = doc["machine"]
    rows = [
        ("accuracy", "%.3f" % ce["accuracy"], "%.3f" % re_["accuracy"]),
        ("macro-F1", "%.3f" % ce["macro_f1"], "%.3f" % re_["macro_f1"]),
        ("expected calibration error (10 bins)", "%.3f" % ce["calibration_error"],
         "%.3f" % re_["calibration_error"]),
        ("latency p50 per message", "%.1f us" % c["latency"]["p50_us"],
         "%.1f us" % ref["latency"]["p50_us"]),
        ("latency p99 per message", "%.1f us" % c["latency"]["p99_us"],
         "%.1f us" % ref["latency"]["p99_us"]),
        ("serialised model", "%d bytes" % c["model"]["serialised_bytes"],
         "%d bytes (pickle)" % ref["model"]["serialised_bytes"]),
        ("training time", "%.2f s" % c["train_seconds"], "%.2f s" % ref["train_seconds"]),
    ]
    out = [
        "# IA bot intent model benchmark",
        "",
        "Run %s on %s (%s cores), %s." % (doc["time"], m["cpu"], m["cores"], m["system"]),
        "Train %d utterances, test %d (reference/services/iabot/fixtures)."
        % (c["train_examples"], c["test_examples"]),
        "",
        "| figure | hito C | scikit-learn |",
        "|---|---|---|",
    ]
    out += ["| %s | %s | %s |" % r for r in rows]
    out += [
        "",
        "- C: %s; model %s, %d bytes in memory, temperature %.3f, deterministic: %s."
        % (c["implementation"], c["model_version"], c["model"]["memory_bytes"],
           c["model"]["temperature"], c["deterministic"]),
        "- scikit-learn: %s." % ref["implementation"],
        "- Latency: %d timed calls each; C times analysis + features + prediction, "
        "scikit-learn times `predict` on one message." % c["latency"]["samples"],
        "- Below the threshold %.2f the C model answers handover: %.1f%% of the test set."
        % (c["params"]["threshold"], 100 * ce["handover_rate"]),
        "",
        "Targets: macro-F1 within %.0f points of scikit-learn: %s (gap %+.1f points); "
        "p99 below %.0f us: %s." % (100 * MAX_F1_GAP, "met" if doc["targets"]["f1"] else "missed",
                                    100 * doc["targets"]["f1_gap"], MAX_P99_US,
                                    "met" if doc["targets"]["p99"] else "missed"),
        "",
        "## Confusion matrix of the C model (test set)",
        "",
        confusion_table(ce),
        "",
        "## Confusion matrix of scikit-learn (test set)",
        "",
        confusion_table(re_),
        "",
    ]
    return "\n".join(out)


def main():
    c_path, ref_path, prefix = sys.argv[1:4]
    with open(c_path, encoding="utf-8") as f:
        c = json.load(f)
    with open(ref_path, encoding="utf-8") as f:
        ref = json.load(f)
    gap = c["evaluation"]["macro_f1"] - ref["evaluation"]["macro_f1"]
    doc = {
        "benchmark": "iabot-intent",
        "time": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": machine(),
        "c": c,
        "sklearn": ref,
        "targets": {
            "f1_gap": gap,
            "f1": gap >= -MAX_F1_GAP,
            "p99": c["latency"]["p99_us"] < MAX_P99_US,
        },
    }
    with open(prefix + ".json", "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
    with open(prefix + ".md", "w", encoding="utf-8") as f:
        f.write(markdown(doc))


if __name__ == "__main__":
    main()
