"""Reference figures for the IA bot's intent model: scikit-learn's
LogisticRegression on TF-IDF word 1-2 grams and character 2-5 grams, trained
and tested on the same split as the C model. Dev-only; run by bench/run.

Usage: sklearn_baseline.py TRAIN.tsv TEST.tsv OUT.json [ROUNDS]
"""
import json
import pickle
import sys
import time

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score
from sklearn.pipeline import make_pipeline, make_union

# Same order as enum intent in domain/intent.h.
LABELS = [
    "greeting", "product_search", "price_question", "add_to_cart", "checkout",
    "payment_status", "order_status", "delivery_tracking", "cancel_order",
    "otp_code", "talk_to_human", "goodbye", "out_of_scope",
]


def load(path):
    texts, labels = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            intent, text = line.split("\t", 1)
            labels.append(intent)
            texts.append(text)
    return texts, labels


def calibration_error(probabilities, classes, truth, bins=10):
    """Expected calibration error of the top class, as in domain/evaluation.c."""
    confidence_sum = [0.0] * bins
    correct_sum = [0.0] * bins
    for row, label in zip(probabilities, truth):
        best = int(np.argmax(row))
        index = min(int(row[best] * bins), bins - 1)
        confidence_sum[index] += row[best]
        correct_sum[index] += float(classes[best] == label)
    gaps = sum(abs(c - k) for c, k in zip(confidence_sum, correct_sum))
    return gaps / len(truth)


def build():
    words = TfidfVectorizer(ngram_range=(1, 2), strip_accents="unicode", sublinear_tf=True)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), strip_accents="unicode",
                            sublinear_tf=True)
    return make_pipeline(make_union(words, chars),
                         LogisticRegression(C=10.0, max_iter=2000))


def main():
    train_path, test_path, out_path = sys.argv[1:4]
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    x_train, y_train = load(train_path)
    x_test, y_test = load(test_path)

    model = build()
    start = time.perf_counter()
    model.fit(x_train, y_train)
    train_seconds = time.perf_counter() - start
    predicted = model.predict(x_test)
    probabilities = model.predict_proba(x_test)

    samples = []
    for _ in range(rounds):
        for text in x_test:
            start = time.perf_counter()
            model.predict([text])
            samples.append((time.perf_counter() - start) * 1e6)
    samples = np.array(samples)

    f1 = f1_score(y_test, predicted, labels=LABELS, average=None, zero_division=0)
    report = {
        "implementation": "scikit-learn %s LogisticRegression(C=10, lbfgs) on TF-IDF word 1-2 "
                          "grams + char_wb 2-5 grams" % sklearn.__version__,
        "train_examples": len(x_train),
        "test_examples": len(x_test),
        "train_seconds": train_seconds,
        "evaluation": {
            "examples": len(x_test),
            "accuracy": accuracy_score(y_test, predicted),
            "macro_f1": f1_score(y_test, predicted, labels=LABELS, average="macro",
                                 zero_division=0),
            "labels": LABELS,
            "confusion": confusion_matrix(y_test, predicted, labels=LABELS).tolist(),
            "f1": dict(zip(LABELS, f1.tolist())),
            "calibration_error": calibration_error(probabilities, model.classes_, y_test),
        },
        "latency": {
            "samples": len(samples),
            "p50_us": float(np.percentile(samples, 50)),
            "p99_us": float(np.percentile(samples, 99)),
            "max_us": float(samples.max()),
            "mean_us": float(samples.mean()),
        },
        "model": {"serialised_bytes": len(pickle.dumps(model))},
    }
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2)


if __name__ == "__main__":
    main()
