"""The ``pxassure themes`` commands: the offline classifier of patients' comments (train,
classify, list its labels, evaluate), apart from :mod:`pxassure.cli` as a family of their own."""

from __future__ import annotations


def _themes_train(args) -> int:
    from pxassure.ingest import themes_training

    model = themes_training.train(args.file, args.output)
    print(f"model {model.version} written to {args.output}")
    _print_metrics(model.info["metrics"], "held-out comments of " + args.file)
    return 0


def _themes_classify(args) -> int:
    from pxassure.ingest import themes

    model = themes.Model.load(args.model)
    out = themes.classify_file(args.input, args.output, model)
    print(f"{len(out)} comment(s) classified by {model.version} into {args.output}")
    return 0


def _themes_labels(args) -> int:
    from pxassure.ingest import themes

    for label in themes.model_labels(args.model):
        print(label)
    return 0


def _themes_evaluate(args) -> int:
    from pxassure.ingest import themes, themes_training

    if args.file is None:
        model = themes.Model.load(args.model)
        trained = model.info.get("training_file", {})
        where = f"held-out comments of {trained.get('name')} (sha256 {str(trained.get('sha256'))[:12]}…)"
        print(f"model {model.version}: figures recorded when it was trained")
        _print_metrics(model.info.get("metrics", {}), where)
        return 0
    data = themes_training.read_training(args.file)
    _print_metrics(
        themes_training.evaluate(data, holdout=args.holdout, seed=args.seed), "held-out comments of " + args.file
    )
    return 0


def _print_metrics(m: dict, where: str) -> None:
    print(f"on {m.get('comments')} {where}, split by respondent ({m.get('respondents_held_out')} held out):")
    print(f"  micro-F1  {m.get('micro_f1')}   ('Labelling not possible' left out)")
    print(f"  macro-F1  {m.get('macro_f1')}   ({m.get('macro_f1_labels')} labels with at least 5 held-out positives)")
    print(f"  sentiment accuracy, 5 classes  {m.get('sentiment_accuracy_5')}")
    print(f"  sentiment accuracy, 3 classes  {m.get('sentiment_accuracy_3')}   (1-2 positive, 3 mixed, 4-5 negative)")
    if "sentiment_accuracy_3_without_rating" in m:
        print(
            f"  the same for comments without their FFT answer: {m['sentiment_accuracy_5_without_rating']} "
            f"and {m['sentiment_accuracy_3_without_rating']}"
        )


def add_themes(sub) -> None:
    """The ``pxassure themes`` commands: train, classify, labels, evaluate."""
    p = sub.add_parser("themes", help="themes and sentiment of patients' comments (an offline classifier)")
    th_sub = p.add_subparsers(dest="themes_command", required=True)
    q = th_sub.add_parser("train", help="evaluate on held-out respondents, then train on all of a labelled file")
    q.add_argument("file", help="labelled comments in the layout of the public FFT training file")
    q.add_argument("--output", default="data/themes-model", help="folder for model.json and model.npz")
    q.set_defaults(func=_themes_train)
    q = th_sub.add_parser("classify", help="label comments: IN.csv (comment_id, text, question, rating) to OUT.csv")
    q.add_argument("input")
    q.add_argument("output")
    q.add_argument("--model", default=None, help="model folder (default: the model shipped with pxassure)")
    q.set_defaults(func=_themes_classify)
    q = th_sub.add_parser("labels", help="list the label names (the FFT comment framework's categories)")
    q.add_argument("--model", default=None)
    q.set_defaults(func=_themes_labels)
    q = th_sub.add_parser("evaluate", help="micro/macro-F1 and sentiment accuracy on held-out respondents")
    q.add_argument("file", nargs="?", default=None, help="labelled file to evaluate on (default: print the model's)")
    q.add_argument("--model", default=None)
    q.add_argument("--holdout", type=float, default=0.2)
    q.add_argument("--seed", type=int, default=42)
    q.set_defaults(func=_themes_evaluate)
