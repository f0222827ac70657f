"""The batch job: ``spark-smote`` on the command line, ``jobs/oversample.py`` for spark-submit.

:mod:`~spark_smote.app.cli` parses settings and calls :mod:`~spark_smote.app.job`, which
uses :mod:`~spark_smote.app.io` and :mod:`~spark_smote.app.plot`; none imports ``cli``.
"""
