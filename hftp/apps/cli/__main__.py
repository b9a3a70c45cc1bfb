"""``python -m hftp.apps.cli``: the ``hftp`` command without its console script."""

from hftp.apps.cli import main

if __name__ == "__main__":  # pragma: no cover - exercised by the wheel smoke test
    main()
