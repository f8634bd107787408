"""The ``pxassure themes`` commands: the offline classifier of patients' comments (train,
classify, list its labels, evaluate), apart from :mod:`pxassure.cli` as a family of their own."""

from __future__ import annotations

from pxassure.ingest.schema import DEFAULT_DATABASE


def _themes_train(args) -> int:
    from pxassure.ingest import themes, themes_training

    current = themes.Model.load(args.model) if args.corrections else None
    model = themes_training.train(args.file, args.output, args.corrections, current)
    print(f"model {model.version} written to {args.output}")
    _print_metrics(model.info["metrics"], "held-out comments of " + args.file)
    trust = model.info["metrics"].get("trust_corrections")
    if trust is not None:
        _print_corrections(trust, args.corrections)
    return 0


def _print_corrections(trust: dict, database: str) -> None:
    from pxassure.ingest.themes_training import CORRECTIONS_TO_SCORE

    print(f"the trust's corrections in {database}: {trust['corrections']} comment(s) a person coded")
    if not trust["held_out"]:
        print(
            f"  all trained on; too few to hold some out and score ({CORRECTIONS_TO_SCORE} needed): "
            "review more comments to measure the gain"
        )
        return
    print(f"  on {trust['held_out']} of them held out (coded as loading codes them, rules and all):")
    for name, m in (
        ("model in use " + trust["model_in_use"]["version"], trust["model_in_use"]),
        ("retrained with the other corrections", trust["retrained"]),
    ):
        print(
            f"  {name}: micro-F1 {m['micro_f1']}, macro-F1 {m['macro_f1']} ({m['macro_f1_labels']} labels), "
            f"tone (3 classes) {m['sentiment_accuracy_3']}"
        )


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


def _themes_review(args) -> int:
    from pxassure.ingest import theme_review, themes
    from pxassure.ingest.store import Store

    with Store(args.database, read_only=True) as store:
        comments, unit_name, period = theme_review.period_comments(store, args.unit, args.period)
        reviewed = store.query("SELECT comment_id FROM theme_reviews")["comment_id"]
    seed = args.seed if args.seed is not None else theme_review.default_seed(args.unit, period)
    chosen = theme_review.choose(comments, args.least, args.sample, seed, reviewed)
    theme_review.write(args.output, chosen, unit_name, period, themes.model_labels(args.model))
    drawn = int((chosen["sample"] == theme_review.RANDOM_SAMPLE).sum())
    print(
        f"{len(chosen)} comment(s) of {unit_name}, {period}, to check in {args.output}: "
        f"{len(chosen) - drawn} least confident, {drawn} drawn at random (seed {seed})"
    )
    return 0


def _themes_import_review(args) -> int:
    from pxassure.ingest import theme_review, themes
    from pxassure.ingest.store import Store

    with Store(args.database) as store:
        stored, unchecked, changed = theme_review.import_review(args.workbook, store, themes.model_labels(args.model))
    print(
        f"{stored} checked comment(s) stored as a person's coding in {args.database} "
        f"({changed} changed from pxassure's); {unchecked} row(s) without 'Checked by' left as they were"
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
    q.add_argument(
        "--corrections",
        default=None,
        help="a database whose review workbooks a person checked: their coding is added to the file's, "
        "and a fifth held out scores the model in use against the retrained one",
    )
    q.add_argument("--model", default=None, help="the model in use, to score against (default: the shipped one)")
    q.set_defaults(func=_themes_train)
    q = th_sub.add_parser("classify", help="label comments: IN.csv (comment_id, text, question, rating) to OUT.csv")
    q.add_argument("input")
    q.add_argument("output")
    q.add_argument("--model", default=None, help="model folder (default: the model shipped with pxassure)")
    q.set_defaults(func=_themes_classify)
    q = th_sub.add_parser("review", help="a workbook of a unit's comments for a person to check")
    q.add_argument("--unit", required=True, help="unit_id of the ward or unit")
    q.add_argument("--period", required=True, help="a month (2026-10) or a quarter (2026-Q3)")
    q.add_argument("--output", required=True, help="the workbook to write (.xlsx)")
    q.add_argument("--database", default=str(DEFAULT_DATABASE))
    q.add_argument("--least", type=int, default=20, help="how many of the least confident (default 20)")
    q.add_argument("--sample", type=int, default=20, help="how many drawn at random (default 20)")
    q.add_argument("--seed", type=int, default=None, help="for the random draw (default: from unit and period)")
    q.add_argument("--model", default=None)
    q.set_defaults(func=_themes_review)
    q = th_sub.add_parser("import-review", help="store a checked review workbook as a person's coding")
    q.add_argument("workbook")
    q.add_argument("--database", default=str(DEFAULT_DATABASE))
    q.add_argument("--model", default=None)
    q.set_defaults(func=_themes_import_review)
    q = th_sub.add_parser("labels", help="list the label names (the FFT comment framework's categories)")
    q.add_argument("--model", default=None)
    q.set_defaults(func=_themes_labels)
    q = th_sub.add_parser("evaluate", help="micro/macro-F1 and sentiment accuracy on held-out respondents")
    q.add_argument("file", nargs="?", default=None, help="labelled file to evaluate on (default: print the model's)")
    q.add_argument("--model", default=None)
    q.add_argument("--holdout", type=float, default=0.2)
    q.add_argument("--seed", type=int, default=42)
    q.set_defaults(func=_themes_evaluate)
